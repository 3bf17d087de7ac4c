#define CAF_SUITE libet.util.json_text
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <limits>

#include "et/util/json_text.hpp"

using namespace et;
namespace json = boost::json;

CAF_TEST(numbers read as people write them and back as the same double) {
  json::object o{{"cost", 0.0},      {"temperature", 0.7},
                 {"usd", 0.0012345}, {"big", 1e21},
                 {"whole", 100.0},   {"tokens", 12},
                 {"tiny", 6.27e-06}, {"billions", 2.4e10},
                 {"atto", 1e-18},    {"count", uint64_t{18446744073709551615u}}};
  auto text = json_text(o);
  CAF_CHECK_EQUAL(text, R"({"cost":0.0,"temperature":0.7,"usd":0.0012345,"big":1e+21,)"
                        R"("whole":100.0,"tokens":12,"tiny":0.00000627,"billions":24000000000.0,)"
                        R"("atto":1e-18,"count":18446744073709551615})");
  auto back = json::parse(text).as_object();
  CAF_CHECK(back.at("cost").is_double()); // not read back as the integer 0
  CAF_CHECK(back.at("whole").is_double());
  CAF_CHECK(back.at("billions").is_double());
  for (const char* name : {"temperature", "usd", "tiny", "billions", "atto"})
    CAF_CHECK_EQUAL(back.at(name).as_double(), o.at(name).as_double());
  CAF_CHECK(back.at("tokens").is_int64());
}

CAF_TEST(infinity and NaN are null not words JSON does not have) {
  json::array a{std::numeric_limits<double>::infinity(), std::nan(""), -0.0};
  auto text = json_text(a);
  CAF_CHECK_EQUAL(text, "[null,null,-0.0]");
  boost::system::error_code ec;
  json::parse(text, ec);
  CAF_CHECK(!ec);
}

CAF_TEST(everything but doubles is written as Boost.JSON writes it) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c)
    every_byte += static_cast<char>(c);
  json::value v = json::object{
      {"text", every_byte},
      {"nested",
       json::array{nullptr, true, false, -42, "a\"b\\c\n", json::object{}, json::array{}}},
      {every_byte, json::object{{"", "x"}}},
  };
  CAF_CHECK_EQUAL(json_text(v), json::serialize(v));
  CAF_CHECK_EQUAL(json_text(v.as_object()), json::serialize(v));
  CAF_CHECK_EQUAL(json_text(json::array{1, "two"}), R"([1,"two"])");
}
