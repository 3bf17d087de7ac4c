#define CAF_SUITE libet.util.bounded_json
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <string>

#include "et/util/bounded_json.hpp"

using namespace et;

namespace {

// `n` zeros in an array: 2 bytes of text for each value of 16 bytes or more.
std::string zeros(size_t n) {
  std::string text = "[0";
  for (size_t i = 1; i < n; ++i)
    text += ",0";
  return text + "]";
}

} // namespace

CAF_TEST(json of the size its text suggests parses and its values stay usable) {
  std::string text = R"({"data":[{"embedding":[0.0123456789,-0.5,0.25]}],"text":")"
                     + std::string(100000, 'x') + R"("})";
  auto v = parse_within(text, json_budget_for(text.size()), 32, "answer");
  CAF_REQUIRE(v);
  auto& o = v->as_object();
  CAF_CHECK_EQUAL(o.at("text").as_string().size(), 100000u);
  // The bound ends with the parse: what is added later is not counted against it.
  o["more"] = std::string(10 * json_budget_for(text.size()), 'y');
  auto copy = *v;
  CAF_CHECK_EQUAL(copy.as_object().at("more").as_string().size(),
                  10 * json_budget_for(text.size()));
}

CAF_TEST(many small values past the budget are refused without taking the memory) {
  auto text = zeros(1 << 20); // 2 MiB of text, 16+ MiB of values
  auto v = parse_within(text, json_budget_for(text.size()), 32, "embeddings answer");
  CAF_REQUIRE(!v);
  CAF_CHECK_EQUAL(v.error().code, errc::invalid_input);
  CAF_CHECK_EQUAL(v.error().message, "malformed embeddings answer: more JSON values than its "
                                     "size allows (many small ones)");
  // Numbers written as an embedding writes them fit their budget.
  std::string floats = "[0.0123456789";
  for (int i = 1; i < 100000; ++i)
    floats += ",-0.0123456789";
  floats += "]";
  CAF_CHECK(parse_within(floats, json_budget_for(floats.size()), 32, "x"));
}

CAF_TEST(malformed or too deep json is refused with what it is short or long) {
  // Short JSON is parsed without a budget, long JSON within one: both paths say the same.
  for (size_t pad : {size_t{0}, small_json_bytes}) {
    std::string spaces(pad, ' ');
    auto bad = parse_within(spaces + "{\"a\":", 1 << 22, 32, "Anthropic message");
    CAF_REQUIRE(!bad);
    CAF_CHECK(bad.error().message.starts_with("malformed Anthropic message: "));
    auto deep = spaces + std::string(40, '[') + std::string(40, ']');
    CAF_CHECK(!parse_within(deep, 1 << 22, 32, "x"));
    CAF_CHECK(parse_within(deep, 1 << 22, 64, "x"));
  }
}
