// Fuzz target: the NDJSON line splitter (et/wire/ndjson). Invariants: any chunking gives the
// lines of the whole input; a line is never blank, never holds "\n" nor ends in "\r"; every
// non-blank byte of the input comes out in some line; nothing is pending after flush.

#include <string>
#include <vector>

#include "et/wire/ndjson.hpp"
#include "fuzz_support.hpp"

namespace {

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r") == std::string_view::npos;
}

void check(std::string_view line) {
  FUZZ_CHECK(!line.empty() && !blank(line), "a blank line came out");
  FUZZ_CHECK(line.find('\n') == std::string_view::npos, "a line holds a newline");
  FUZZ_CHECK(line.back() != '\r', "a line ends in CR");
}

std::vector<std::string> decode(const std::vector<std::string_view>& parts) {
  et::wire::ndjson_decoder d;
  std::vector<std::string> out;
  std::string_view line;
  for (auto part : parts) {
    d.feed(part);
    while (d.next(line)) {
      check(line);
      out.emplace_back(line);
    }
  }
  size_t rounds = 0;
  while (d.flush(line)) {
    check(line);
    out.emplace_back(line);
    FUZZ_CHECK(++rounds < 1000000, "flush never ends");
  }
  FUZZ_CHECK(!d.pending(), "bytes pending after flush");
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = et::fuzz::bytes(data, size);
  auto all = et::fuzz::splits(input);
  auto whole = decode(all.front());
  for (size_t i = 1; i < all.size(); ++i)
    FUZZ_CHECK(decode(all[i]) == whole, "a chunking changed the lines");
  // Every input line that is not blank is one output line, in order.
  std::vector<std::string> expected;
  for (size_t pos = 0; pos <= input.size();) {
    auto end = input.find('\n', pos);
    auto raw =
        input.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!blank(raw))
      expected.emplace_back(raw);
    if (end == std::string_view::npos)
      break;
    pos = end + 1;
  }
  FUZZ_CHECK(expected.size() == whole.size(), "a non-blank line was lost or split");
  for (size_t i = 0; i < whole.size(); ++i)
    FUZZ_CHECK(expected[i].find(whole[i]) != std::string::npos, "a line is not its input line");
  return 0;
}
