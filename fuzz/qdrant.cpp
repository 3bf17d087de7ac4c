// Fuzz target: the decoders of Qdrant's answers (et/context/qdrant_codec), which read what a
// configured (possibly shared or hostile) Qdrant server sends. The first byte picks the
// decoder and, for searches, the limit. Invariants: a collection's size is 1..max_dimension;
// a search gives at most `limit` hits, each with a finite score, a bounded path and a sane
// line range; an error's message never holds the API key, stays one printable line and
// bounded; deterministic.

#include <cmath>
#include <string>

#include "et/context/qdrant_codec.hpp"
#include "fuzz_support.hpp"

namespace {

namespace q = et::context::qdrant;

constexpr std::string_view secret = "qk-FUZZ-SECRET-7f3a";

bool printable_line(const std::string& s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f)
      return false;
  }
  return true;
}

void check_search(std::string_view body, size_t limit) {
  auto hits = q::decode_search(body, limit);
  auto again = q::decode_search(body, limit);
  FUZZ_CHECK(hits.has_value() == again.has_value(), "not deterministic");
  if (!hits) {
    FUZZ_CHECK(hits.error().message.find(secret) == std::string::npos, "key in a failure");
    return;
  }
  FUZZ_CHECK(hits->size() <= limit, "more hits than asked for");
  for (const auto& h : *hits) {
    FUZZ_CHECK(std::isfinite(h.score), "a score that is not finite");
    FUZZ_CHECK(h.path.size() <= q::max_path_bytes, "a path over its bound");
    FUZZ_CHECK(h.start_line >= 1 && h.start_line <= h.end_line, "a bad line range");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = et::fuzz::bytes(data, size);
  if (input.empty())
    return 0;
  auto pick = static_cast<unsigned char>(input[0]);
  input.remove_prefix(1);
  switch (pick % 4) {
    case 0: {
      auto dim = q::decode_collection(input);
      if (dim)
        FUZZ_CHECK(*dim >= 1 && *dim <= q::max_dimension, "a dimension out of bounds");
      break;
    }
    case 1:
      check_search(input, pick / 4);
      break;
    case 2: {
      auto ack = q::decode_ack(input);
      if (!ack)
        FUZZ_CHECK(ack.error().message.find(secret) == std::string::npos, "key in a failure");
      break;
    }
    default: {
      // The key put into the body at a place the input chooses, as a hostile server would.
      std::string body{input};
      body.insert(et::fuzz::hash(input) % (body.size() + 1), secret);
      auto f = q::http_failure("search", 400 + pick % 200, body, secret);
      FUZZ_CHECK(f.message.find(secret) == std::string::npos, "key in a failure");
      FUZZ_CHECK(printable_line(f.message), "a failure over several lines or unprintable");
      FUZZ_CHECK(f.message.size() <= 256, "a failure message over 256 bytes");
      auto e = q::excerpt(body, secret);
      FUZZ_CHECK(e.size() <= q::max_excerpt && printable_line(e), "a bad excerpt");
      FUZZ_CHECK(e.find(secret) == std::string::npos, "key in an excerpt");
      break;
    }
  }
  return 0;
}
