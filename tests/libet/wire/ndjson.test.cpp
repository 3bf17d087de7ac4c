#define CAF_SUITE libet.wire.ndjson
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "et/wire/ndjson.hpp"

using namespace et::wire;

namespace {

std::vector<std::string> lines_of(std::string_view bytes, size_t step = 0, bool flush = true) {
  ndjson_decoder d;
  std::vector<std::string> out;
  std::string_view line;
  if (step == 0)
    step = bytes.size() + 1;
  for (size_t i = 0; i < bytes.size(); i += step) {
    d.feed(bytes.substr(i, step));
    while (d.next(line))
      out.emplace_back(line);
  }
  if (flush)
    while (d.flush(line))
      out.emplace_back(line);
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += "<" + l + ">";
  return out;
}

} // namespace

CAF_TEST(lines are split at lf and crlf and blank lines are skipped) {
  CAF_CHECK_EQUAL(joined(lines_of("{\"a\":1}\n\n{\"b\":2}\r\n  \r\n{\"c\":3}\n")),
                  "<{\"a\":1}><{\"b\":2}><{\"c\":3}>");
}

CAF_TEST(an unterminated last line is only returned by flush) {
  CAF_CHECK_EQUAL(joined(lines_of("{\"a\":1}\n{\"b\"", 0, false)), "<{\"a\":1}>");
  CAF_CHECK_EQUAL(joined(lines_of("{\"a\":1}\n{\"b\"", 0, true)), "<{\"a\":1}><{\"b\">");
}

CAF_TEST(every split gives the same lines) {
  std::string stream = "{\"x\":\"1\"}\n{\"y\":[1,2,3]}\r\n\n{\"z\":null}\n{\"done\":true}\n";
  auto whole = joined(lines_of(stream));
  CAF_CHECK_EQUAL(whole, "<{\"x\":\"1\"}><{\"y\":[1,2,3]}><{\"z\":null}><{\"done\":true}>");
  for (size_t step = 1; step <= stream.size(); ++step)
    CAF_CHECK_EQUAL(joined(lines_of(stream, step)), whole);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    ndjson_decoder d;
    std::vector<std::string> out;
    std::string_view line;
    d.feed(std::string_view{stream}.substr(0, cut));
    while (d.next(line))
      out.emplace_back(line);
    d.feed(std::string_view{stream}.substr(cut));
    while (d.next(line))
      out.emplace_back(line);
    CAF_CHECK_EQUAL(joined(out), whole);
  }
}

CAF_TEST(a line of several megabytes fed in small pieces arrives whole) {
  std::string big = "{\"t\":\"" + std::string(3'000'000, 'a') + "\"}";
  ndjson_decoder d;
  std::string_view line;
  size_t lines = 0;
  std::string stream = big + "\n";
  for (size_t i = 0; i < stream.size(); i += 7) {
    d.feed(std::string_view{stream}.substr(i, 7));
    while (d.next(line)) {
      ++lines;
      CAF_CHECK_EQUAL(line.size(), big.size());
    }
  }
  CAF_CHECK_EQUAL(lines, 1u);
  CAF_CHECK(!d.pending());
}

CAF_TEST(pending reports an unterminated line) {
  ndjson_decoder d;
  std::string_view line;
  d.feed("{\"a\":");
  CAF_CHECK(!d.next(line));
  CAF_CHECK(d.pending());
  d.feed("1}\n");
  CAF_REQUIRE(d.next(line));
  CAF_CHECK_EQUAL(std::string{line}, "{\"a\":1}");
  CAF_CHECK(!d.pending());
}
