// Fuzz target: the SSE decoder (et/wire/sse). Invariants: any chunking gives the events of
// the whole input; field values never contain a line break; nothing is pending after flush.

#include <string>
#include <vector>

#include "et/wire/sse.hpp"
#include "fuzz_support.hpp"

namespace {

struct event {
  std::string name, data, id;
  bool operator==(const event&) const = default;
};

void check(const et::wire::sse_event& e) {
  FUZZ_CHECK(e.name.find_first_of("\r\n") == std::string_view::npos, "event name has a line break");
  FUZZ_CHECK(e.id.find_first_of("\r\n") == std::string_view::npos, "id has a line break");
  FUZZ_CHECK(e.id.find('\0') == std::string_view::npos, "id has a NUL");
  FUZZ_CHECK(e.data.find('\r') == std::string_view::npos, "data has a CR");
}

std::vector<event> decode(const std::vector<std::string_view>& parts) {
  et::wire::sse_decoder d;
  std::vector<event> out;
  et::wire::sse_event e;
  for (auto part : parts) {
    d.feed(part);
    while (d.next(e)) {
      check(e);
      out.push_back({std::string{e.name}, std::string{e.data}, std::string{e.id}});
    }
  }
  size_t rounds = 0;
  while (d.flush(e)) {
    check(e);
    out.push_back({std::string{e.name}, std::string{e.data}, std::string{e.id}});
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
    FUZZ_CHECK(decode(all[i]) == whole, "a chunking changed the events");
  return 0;
}
