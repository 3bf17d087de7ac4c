// Fuzz target: the HTTP error classifier (et/wire/classify): error bodies of every protocol,
// through classify_reply (with the input's first line as Retry-After / retry-after-ms header
// values), each codec's classify() and classify_stream_error, plus parse_retry_after alone.
// Invariants: the API key (and a basic-auth password) never appears in a message; delays are
// never negative; classification is deterministic.

#include <chrono>

#include "codec_support.hpp"
#include "et/wire/classify.hpp"

namespace {

constexpr int statuses[] = {400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 504, 529};

void check_secrets(const et::failure& f, std::string_view key) {
  et::fuzz::check_failure(f, key);
  if (auto colon = key.find(':'); colon != std::string_view::npos)
    FUZZ_CHECK(f.message.find(key.substr(colon + 1)) == std::string::npos,
               "a basic-auth password leaked into a message");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = et::fuzz::bytes(data, size);
  auto line = body.substr(0, std::min(body.find('\n'), size_t{80}));
  auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1767225600}};
  if (auto d = et::wire::parse_retry_after(line, now))
    FUZZ_CHECK(d->count() >= 0, "negative Retry-After");

  auto h = et::fuzz::hash(body);
  int status = statuses[h % std::size(statuses)];
  std::string_view key = (h >> 8) % 2 ? et::fuzz::secret : std::string_view{"user:pa55w0rd"};
  et::wire::http_reply reply{status, {}, std::string{body}};
  if ((h >> 9) % 2)
    reply.headers.emplace_back("Retry-After", std::string{line});
  else
    reply.headers.emplace_back("retry-after-ms", std::string{line});
  auto f = et::wire::classify_reply(reply, key, now);
  check_secrets(f, key);
  FUZZ_CHECK(f.http_status == status, "the status was lost");
  auto again = et::wire::classify_reply(reply, key, now);
  FUZZ_CHECK(f.code == again.code && f.message == again.message
                 && f.retry_after == again.retry_after,
             "classification is not deterministic");

  check_secrets(et::wire::classify_stream_error(body, key), key);
  reply.headers.clear();
  for (const auto& c : et::fuzz::codecs())
    check_secrets(c->classify(reply), et::fuzz::secret);
  return 0;
}
