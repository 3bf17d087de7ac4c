// Fuzz target: the streamed-answer decoders of the four provider codecs (OpenAI, Anthropic and
// Gemini over SSE, Ollama over NDJSON). Every input goes through all four, so recorded streams
// of any provider are useful seeds for every decoder. Invariants: any chunking gives the same
// deltas, the same mid-stream failure and the same final response; the streamed text is the
// response's text, and the streamed signatures and redacted blocks hold the bytes of its
// thinking blocks' (in any order: a signature may come after a later block began);
// usage is never negative; failures never hold the API key.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "codec_support.hpp"

namespace {

struct outcome {
  std::string text, reasoning;    // the deltas, concatenated
  std::string sealed;             // signatures and redacted blocks, concatenated
  std::optional<et::failure> fed; // the first mid-stream failure
  et::result<et::chat_response> end = et::make_failure(et::errc::invalid_input, "");
};

bool same(const et::failure& a, const et::failure& b) {
  return a.code == b.code && a.message == b.message && a.retry_after == b.retry_after
         && a.http_status == b.http_status;
}

bool same(const outcome& a, const outcome& b) {
  if (a.text != b.text || a.reasoning != b.reasoning || a.sealed != b.sealed
      || a.fed.has_value() != b.fed.has_value())
    return false;
  if (a.fed && !same(*a.fed, *b.fed))
    return false;
  if (a.end.has_value() != b.end.has_value())
    return false;
  return a.end ? *a.end == *b.end : same(a.end.error(), b.end.error());
}

outcome decode(const et::wire::codec& c, const std::vector<std::string_view>& parts) {
  outcome o;
  auto d = c.make_stream_decoder();
  std::vector<et::chunk> out;
  auto take = [&] {
    for (const auto& ch : out) {
      FUZZ_CHECK(!ch.text.empty() || !ch.reasoning.empty() || !ch.signature.empty()
                     || !ch.redacted.empty(),
                 "an empty chunk");
      FUZZ_CHECK(ch.redacted.empty() || (ch.text + ch.reasoning + ch.signature).empty(),
                 "a redacted block shares its chunk");
      o.text += ch.text;
      o.reasoning += ch.reasoning;
      o.sealed += ch.signature + ch.redacted;
    }
    out.clear();
  };
  for (auto part : parts) {
    auto r = d->feed(part, out);
    take();
    if (!r) {
      et::fuzz::check_failure(r.error());
      o.fed = r.error();
      break;
    }
  }
  o.end = d->finish(out);
  take();
  if (o.end) {
    et::fuzz::check_usage(o.end->tokens);
    FUZZ_CHECK(!o.fed, "a stream that failed finished well");
  } else {
    et::fuzz::check_failure(o.end.error());
  }
  return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = et::fuzz::bytes(data, size);
  auto all = et::fuzz::splits(input);
  for (const auto& c : et::fuzz::codecs()) {
    auto whole = decode(*c, all.front());
    if (whole.end) {
      FUZZ_CHECK(whole.end->content == whole.text, "streamed text differs from the answer");
      std::string sealed;
      for (const auto& t : whole.end->thoughts)
        sealed += t.signature + t.redacted;
      auto streamed = whole.sealed;
      std::sort(sealed.begin(), sealed.end());
      std::sort(streamed.begin(), streamed.end());
      FUZZ_CHECK(sealed == streamed, "streamed signatures differ from the answer's");
    }
    for (size_t i = 1; i < all.size(); ++i)
      FUZZ_CHECK(same(decode(*c, all[i]), whole), "a chunking changed the decoded stream");
  }
  return 0;
}
