#pragma once
// Helpers shared by the wire suites: fixture files, providers, and feeding a
// stream decoder in every split of its bytes.

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "et/wire/codec.hpp"

namespace et::wire::test {

/// The name of an error class, for readable CAF_CHECK_EQUAL output.
inline std::string name(errc code) {
  return std::string{to_string(code)};
}

/// A header's value, "<none>" when absent; a copy, so that CAF_CHECK_EQUAL
/// never binds to a member of a temporary.
inline std::string header(const http_request& r, std::string_view n) {
  for (const auto& [key, value] : r.headers)
    if (key.size() == n.size() && std::equal(key.begin(), key.end(), n.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a))
                 == std::tolower(static_cast<unsigned char>(b));
        }))
      return value;
  return "<none>";
}

/// The shared fixture folder, "" when absent or empty.
inline std::string fixtures_dir() {
  std::string dir = ET_FIXTURES_DIR;
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec) || std::filesystem::is_empty(dir, ec))
    return {};
  return dir;
}

/// The bytes of a fixture file, nullopt when the fixtures are absent.
inline std::optional<std::string> read_fixture(std::string_view rel) {
  auto dir = fixtures_dir();
  if (dir.empty())
    return std::nullopt;
  std::ifstream in{dir + "/" + std::string{rel}, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// Status and headers from a `.meta.json` plus the body from its sibling.
inline std::optional<http_reply> read_reply(std::string_view body_rel, std::string_view meta_rel) {
  auto body = read_fixture(body_rel);
  auto meta = read_fixture(meta_rel);
  if (!body || !meta)
    return std::nullopt;
  auto doc = boost::json::parse(*meta).as_object();
  const auto& response = doc.at("response").as_object();
  http_reply reply;
  reply.status = static_cast<int>(response.at("status").to_number<int64_t>());
  for (const auto& [name, value] : response.at("headers").as_object()) {
    if (value.is_array())
      for (const auto& v : value.as_array())
        reply.headers.emplace_back(std::string{name}, std::string{v.as_string()});
    else
      reply.headers.emplace_back(std::string{name}, std::string{value.as_string()});
  }
  reply.body = std::move(*body);
  return reply;
}

/// A provider of `type` with a key; base_url as the config loader defaults it.
inline config::provider make_provider(config::provider_type type,
                                      std::string key = "sk-test-secret-0123456789") {
  config::provider p;
  p.name = std::string{config::to_string(type)};
  p.type = type;
  p.api_key = std::move(key);
  p.auth = p.api_key.empty() ? config::auth_type::none : config::auth_type::bearer;
  switch (type) {
    case config::provider_type::openai:
      p.base_url = "https://api.openai.com/v1";
      break;
    case config::provider_type::anthropic:
      p.base_url = "https://api.anthropic.com";
      break;
    case config::provider_type::ollama:
      p.base_url = "http://localhost:11434";
      break;
    case config::provider_type::gemini:
      p.base_url = "https://generativelanguage.googleapis.com";
      break;
    case config::provider_type::mock:
      break;
  }
  return p;
}

/// Payload-only recordings (one JSON per line) framed as SSE data events.
inline std::string frame_as_sse(std::string_view ndjson, bool done_marker) {
  std::string out;
  size_t pos = 0;
  while (pos < ndjson.size()) {
    auto end = ndjson.find('\n', pos);
    auto line =
        ndjson.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!line.empty())
      out.append("data: ").append(line).append("\n\n");
    if (end == std::string_view::npos)
      break;
    pos = end + 1;
  }
  if (done_marker)
    out += "data: [DONE]\n\n";
  return out;
}

/// What a decoder produced for one way of splitting a stream.
struct stream_outcome {
  std::string text;             ///< chunk texts in order
  std::string reasoning;        ///< chunk reasoning in order
  size_t chunks = 0;            ///< number of chunks
  std::optional<failure> error; ///< the first failure, of feed or of finish
  chat_response response;       ///< finish()'s value when there was no failure

  bool operator==(const stream_outcome& o) const {
    auto same_error =
        error.has_value() == o.error.has_value()
        && (!error || (error->code == o.error->code && error->message == o.error->message));
    return text == o.text && reasoning == o.reasoning && same_error && response == o.response;
  }
};

/// Feeds `bytes` cut at the sorted positions `cuts`, then finishes.
inline stream_outcome run_stream(const codec& c, std::string_view bytes,
                                 const std::vector<size_t>& cuts = {}) {
  stream_outcome out;
  auto dec = c.make_stream_decoder();
  std::vector<chunk> chunks;
  size_t from = 0;
  auto feed = [&](size_t to) {
    auto r = dec->feed(bytes.substr(from, to - from), chunks);
    from = to;
    if (!r)
      out.error = r.error();
    return r.has_value();
  };
  bool ok = true;
  for (size_t cut : cuts)
    if (ok && cut > from)
      ok = feed(cut);
  if (ok && feed(bytes.size())) {
    auto fin = dec->finish(chunks);
    if (fin)
      out.response = std::move(*fin);
    else
      out.error = fin.error();
  }
  for (const auto& ch : chunks) {
    out.text += ch.text;
    out.reasoning += ch.reasoning;
  }
  out.chunks = chunks.size();
  return out;
}

/// How many splits of `bytes` decode differently from a one-shot feed: one
/// byte at a time, every 2-way split (a stride of them past `max_two_way`),
/// and seeded random splits. The first difference is printed.
inline size_t split_mismatches(const codec& c, std::string_view bytes, size_t max_two_way = 6000) {
  auto base = run_stream(c, bytes);
  size_t bad = 0;
  auto check = [&](const std::vector<size_t>& cuts, std::string_view how) {
    if (run_stream(c, bytes, cuts) == base)
      return;
    if (bad++ == 0)
      CAF_MESSAGE("first mismatch: " << how << " (" << cuts.size() << " cuts)");
  };
  std::vector<size_t> cuts;
  for (size_t i = 1; i < bytes.size(); ++i)
    cuts.push_back(i);
  check(cuts, "one byte at a time");
  size_t stride = std::max<size_t>(1, bytes.size() / max_two_way);
  for (size_t i = 1; i < bytes.size(); i += stride)
    check({i}, "two-way split at " + std::to_string(i));
  std::mt19937 rng{20260101};
  for (int round = 0; round < 16; ++round) {
    std::uniform_int_distribution<size_t> count{1, std::min<size_t>(64, bytes.size())};
    std::uniform_int_distribution<size_t> pos{0, bytes.size()};
    std::vector<size_t> random_cuts(count(rng));
    for (auto& p : random_cuts)
      p = pos(rng);
    std::sort(random_cuts.begin(), random_cuts.end());
    check(random_cuts, "random split, round " + std::to_string(round));
  }
  return bad;
}

/// How many prefixes shorter than `terminal_end` do NOT end in
/// stream_interrupted (or in a typed mid-stream failure when `allow_typed`).
inline size_t cuts_not_interrupted(const codec& c, std::string_view bytes, size_t terminal_end,
                                   size_t max_cuts = 3000) {
  size_t bad = 0;
  size_t stride = std::max<size_t>(1, terminal_end / max_cuts);
  for (size_t len = 0; len < terminal_end; len += stride) {
    auto out = run_stream(c, bytes.substr(0, len));
    if (out.error && out.error->code == errc::stream_interrupted)
      continue;
    if (bad++ == 0)
      CAF_MESSAGE("prefix of " << len << " bytes was not interrupted");
  }
  return bad;
}

} // namespace et::wire::test

/// Loads a fixture into `var`, or skips the test when the fixtures are absent.
#define ET_FIXTURE(var, rel)                                                                       \
  auto var##_opt = ::et::wire::test::read_fixture(rel);                                            \
  if (!var##_opt) {                                                                                \
    CAF_MESSAGE("skipped: fixture " << (rel) << " not available");                                 \
    return;                                                                                        \
  }                                                                                                \
  const std::string& var = *var##_opt
