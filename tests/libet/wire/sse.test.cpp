#define CAF_SUITE libet.wire.sse
#include "caf/test/unit_test.hpp"

#include <random>
#include <string>
#include <vector>

#include "et/wire/sse.hpp"

using namespace et::wire;

namespace {

struct seen {
  std::string name;
  std::string data;
  std::string id;
  bool operator==(const seen&) const = default;
};

// Feeds `bytes` in pieces of `step` bytes (0: all at once), collecting events;
// `flush` also takes what the end of the stream completes.
std::vector<seen> decode(std::string_view bytes, size_t step = 0, bool flush = false) {
  sse_decoder d;
  std::vector<seen> out;
  sse_event ev;
  auto drain = [&] {
    while (d.next(ev))
      out.push_back({std::string{ev.name}, std::string{ev.data}, std::string{ev.id}});
  };
  if (step == 0)
    step = bytes.size() + 1;
  for (size_t i = 0; i < bytes.size(); i += step) {
    d.feed(bytes.substr(i, step));
    drain();
  }
  if (flush)
    while (d.flush(ev))
      out.push_back({std::string{ev.name}, std::string{ev.data}, std::string{ev.id}});
  return out;
}

std::string describe(const std::vector<seen>& events) {
  std::string out;
  for (const auto& e : events)
    out += "[" + e.name + "|" + e.data + "|" + e.id + "]";
  return out;
}

} // namespace

CAF_TEST(an event name and its data are dispatched at the blank line) {
  auto events = decode("event: ping\ndata: {\"type\": \"ping\"}\n\n");
  CAF_CHECK_EQUAL(describe(events), "[ping|{\"type\": \"ping\"}|]");
}

CAF_TEST(multi line data is joined with newlines) {
  auto events = decode("data: first\ndata:second\ndata:  third\n\n");
  CAF_CHECK_EQUAL(describe(events), "[|first\nsecond\n third|]");
}

CAF_TEST(comments and unknown fields are ignored) {
  auto events = decode(": keep-alive\nretry: 100\nfoo: bar\ndata: x\n\n:\n\n");
  CAF_CHECK_EQUAL(describe(events), "[|x|]");
}

CAF_TEST(an event without data is not dispatched and its name does not leak) {
  auto events = decode("event: lonely\n\ndata: y\n\n");
  CAF_CHECK_EQUAL(describe(events), "[|y|]");
}

CAF_TEST(an empty data field still dispatches an event) {
  auto events = decode("data\n\ndata:\n\n");
  CAF_CHECK_EQUAL(describe(events), "[||][||]");
}

CAF_TEST(the last event id persists across events) {
  auto events = decode("id: 7\ndata: a\n\ndata: b\n\n");
  CAF_CHECK_EQUAL(describe(events), "[|a|7][|b|7]");
}

CAF_TEST(crlf cr and lf line ends all work and can be mixed) {
  auto expected = "[e|1\n2|][|3|]";
  CAF_CHECK_EQUAL(describe(decode("event: e\r\ndata: 1\r\ndata: 2\r\n\r\ndata: 3\r\n\r\n")),
                  expected);
  CAF_CHECK_EQUAL(describe(decode("event: e\rdata: 1\rdata: 2\r\rdata: 3\r\r")), expected);
  CAF_CHECK_EQUAL(describe(decode("event: e\r\ndata: 1\ndata: 2\r\rdata: 3\n\r\n")), expected);
}

CAF_TEST(a split between cr and lf does not create an empty line) {
  // "data: a\r" + "\ndata: b\r\n\r\n": a blank line here would dispatch "a" alone.
  sse_decoder d;
  sse_event ev;
  d.feed("data: a\r");
  CAF_CHECK(!d.next(ev));
  d.feed("\ndata: b\r");
  CAF_CHECK(!d.next(ev));
  d.feed("\n\r");
  CAF_REQUIRE(d.next(ev));
  CAF_CHECK_EQUAL(std::string{ev.data}, "a\nb");
  d.feed("\n");
  CAF_CHECK(!d.next(ev));
  CAF_CHECK(!d.pending());
}

CAF_TEST(every split of a mixed stream gives the same events) {
  std::string stream = ": hi\r\nevent: a\r\ndata: {\"x\":1}\r\n\r\nevent: b\ndata: 2\ndata: 3\n\n"
                       "data: four\r\rid: 9\r\ndata: five\r\n\r\n";
  auto whole = describe(decode(stream));
  CAF_CHECK_EQUAL(whole, "[a|{\"x\":1}|][b|2\n3|][|four|][|five|9]");
  for (size_t step = 1; step <= stream.size(); ++step)
    if (describe(decode(stream, step)) != whole)
      CAF_FAIL("a split every " << step << " bytes decodes differently");
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    sse_decoder d;
    std::vector<seen> out;
    sse_event ev;
    d.feed(std::string_view{stream}.substr(0, cut));
    while (d.next(ev))
      out.push_back({std::string{ev.name}, std::string{ev.data}, std::string{ev.id}});
    d.feed(std::string_view{stream}.substr(cut));
    while (d.next(ev))
      out.push_back({std::string{ev.name}, std::string{ev.data}, std::string{ev.id}});
    if (describe(out) != whole)
      CAF_FAIL("a two-way split at " << cut << " decodes differently");
  }
}

CAF_TEST(an event without its blank line is only dispatched by flush) {
  CAF_CHECK_EQUAL(describe(decode("data: a\n\ndata: b\n")), "[|a|]");
  CAF_CHECK_EQUAL(describe(decode("data: a\n\ndata: b\n", 0, true)), "[|a|][|b|]");
  CAF_CHECK_EQUAL(describe(decode("data: a\n\ndata: [DONE]", 0, true)), "[|a|][|[DONE]|]");
  CAF_CHECK_EQUAL(describe(decode("data: a\n\n", 0, true)), "[|a|]");
}

CAF_TEST(pending reports a partial event) {
  sse_decoder d;
  sse_event ev;
  CAF_CHECK(!d.pending());
  d.feed("data: x\n");
  CAF_CHECK(!d.next(ev));
  CAF_CHECK(d.pending());
  d.feed("\n");
  CAF_CHECK(d.next(ev));
  CAF_CHECK(!d.pending());
}

CAF_TEST(a long data line fed one byte at a time arrives whole) {
  std::string payload(200'000, 'x');
  std::string stream = "data: " + payload + "\n\n";
  sse_decoder d;
  sse_event ev;
  size_t events = 0;
  for (char c : stream) {
    d.feed(std::string_view{&c, 1});
    while (d.next(ev)) {
      ++events;
      CAF_CHECK_EQUAL(ev.data.size(), payload.size());
    }
  }
  CAF_CHECK_EQUAL(events, 1u);
}

CAF_TEST(random splits of many events match the one shot decode) {
  std::string stream;
  for (int i = 0; i < 300; ++i)
    stream += (i % 3 == 0 ? "event: e" + std::to_string(i) + "\r\n" : std::string{})
              + "data: " + std::to_string(i * 7919) + (i % 2 == 0 ? "\r\n\r\n" : "\n\n");
  auto whole = describe(decode(stream));
  std::mt19937 rng{42};
  for (int round = 0; round < 50; ++round) {
    sse_decoder d;
    std::vector<seen> out;
    sse_event ev;
    size_t pos = 0;
    while (pos < stream.size()) {
      size_t len = std::uniform_int_distribution<size_t>{0, 40}(rng);
      d.feed(std::string_view{stream}.substr(pos, len));
      pos += len;
      while (d.next(ev))
        out.push_back({std::string{ev.name}, std::string{ev.data}, std::string{ev.id}});
    }
    CAF_CHECK_EQUAL(describe(out), whole);
  }
}
