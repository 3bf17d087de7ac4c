#define CAF_SUITE libet.config.env
#include "caf/test/unit_test.hpp"

#include <map>

#include "et/config/env.hpp"

using namespace et;
using et::config::expand_env;

namespace {

// A fixed environment, so no test depends on the machine running it.
config::env_lookup fake_env() {
  static const std::map<std::string, std::string> vars{
      {"HOME", "/home/ann"}, {"KEY", "sk-123"}, {"EMPTY", ""}, {"_under9", "u"}};
  return [](const std::string& name) -> std::optional<std::string> {
    if (auto i = vars.find(name); i != vars.end())
      return i->second;
    return std::nullopt;
  };
}

// The expanded text, or "<error: message>" so a failure shows what happened.
std::string expand(std::string_view text) {
  auto x = expand_env(text, fake_env());
  return x ? x->text : "<error: " + x.error().message + ">";
}

std::string error_of(std::string_view text) {
  auto x = expand_env(text, fake_env());
  return x ? "<expanded to: " + x->text + ">" : x.error().message;
}

} // namespace

CAF_TEST(text without references is returned unchanged) {
  auto x = expand_env("plain text: no refs", fake_env());
  CAF_REQUIRE(x);
  CAF_CHECK_EQUAL(x->text, "plain text: no refs");
  CAF_CHECK(!x->had_reference);
  CAF_CHECK(x->unset.empty());
}

CAF_TEST(a bare reference ends at the first character that is not part of a name) {
  CAF_CHECK_EQUAL(expand("$KEY"), "sk-123");
  CAF_CHECK_EQUAL(expand("Bearer $KEY/x"), "Bearer sk-123/x");
  CAF_CHECK_EQUAL(expand("$HOME/.config"), "/home/ann/.config");
  CAF_CHECK_EQUAL(expand("$_under9!"), "u!");
  auto x = expand_env("$KEY", fake_env());
  CAF_REQUIRE(x);
  CAF_CHECK(x->had_reference);
}

CAF_TEST(a braced reference may be followed directly by name characters) {
  CAF_CHECK_EQUAL(expand("${KEY}suffix"), "sk-123suffix");
  CAF_CHECK_EQUAL(expand("a${HOME}b${KEY}c"), "a/home/annbsk-123c");
}

CAF_TEST(a default applies when the variable is unset or empty) {
  CAF_CHECK_EQUAL(expand("${MISSING:-fallback}"), "fallback");
  CAF_CHECK_EQUAL(expand("${EMPTY:-fallback}"), "fallback");
  CAF_CHECK_EQUAL(expand("${KEY:-fallback}"), "sk-123");
  CAF_CHECK_EQUAL(expand("${MISSING:-http://localhost:8080}/v1"), "http://localhost:8080/v1");
  auto x = expand_env("${MISSING:-fallback}", fake_env());
  CAF_REQUIRE(x);
  CAF_CHECK(x->unset.empty());
  CAF_CHECK(x->had_reference);
}

CAF_TEST(an empty default expands to nothing and does not count as unset) {
  auto x = expand_env("[${MISSING:-}]", fake_env());
  CAF_REQUIRE(x);
  CAF_CHECK_EQUAL(x->text, "[]");
  CAF_CHECK(x->unset.empty());
}

CAF_TEST(unset variables expand to nothing and are listed in order) {
  auto x = expand_env("$NOPE-${ALSO_NOPE}-$KEY-$NOPE", fake_env());
  CAF_REQUIRE(x);
  CAF_CHECK_EQUAL(x->text, "--sk-123-");
  CAF_REQUIRE_EQUAL(x->unset.size(), 3u);
  CAF_CHECK_EQUAL(x->unset[0], "NOPE");
  CAF_CHECK_EQUAL(x->unset[1], "ALSO_NOPE");
  CAF_CHECK_EQUAL(x->unset[2], "NOPE");
}

CAF_TEST(a variable set to the empty string is not reported as unset) {
  auto x = expand_env("<$EMPTY>", fake_env());
  CAF_REQUIRE(x);
  CAF_CHECK_EQUAL(x->text, "<>");
  CAF_CHECK(x->unset.empty());
}

CAF_TEST(a double dollar is a literal dollar sign and never a reference) {
  CAF_CHECK_EQUAL(expand("$$"), "$");
  CAF_CHECK_EQUAL(expand("pa$$word"), "pa$word");
  CAF_CHECK_EQUAL(expand("$$KEY"), "$KEY");
  CAF_CHECK_EQUAL(expand("$$$KEY"), "$sk-123");
  CAF_CHECK_EQUAL(expand("$$$$"), "$$");
  auto x = expand_env("$$KEY", fake_env());
  CAF_REQUIRE(x);
  CAF_CHECK(!x->had_reference);
}

CAF_TEST(a lone dollar sign stays as written) {
  CAF_CHECK_EQUAL(expand("$"), "$");
  CAF_CHECK_EQUAL(expand("costs US$5"), "costs US$5");
  CAF_CHECK_EQUAL(expand("a $ b"), "a $ b");
  CAF_CHECK_EQUAL(expand("end$"), "end$");
  auto x = expand_env("US$5", fake_env());
  CAF_REQUIRE(x);
  CAF_CHECK(!x->had_reference);
}

CAF_TEST(an unterminated brace is malformed) {
  CAF_CHECK_EQUAL(error_of("${KEY"), "malformed environment reference in \"${KEY\": missing '}'");
  CAF_CHECK_EQUAL(error_of("x${"), "malformed environment reference in \"x${\": missing '}'");
}

CAF_TEST(empty braces are malformed) {
  CAF_CHECK_EQUAL(error_of("${}"), "malformed environment reference in \"${}\": expected a "
                                   "variable name after '${'");
  CAF_CHECK_EQUAL(error_of("${:-x}"), "malformed environment reference in \"${:-x}\": expected a "
                                      "variable name after '${'");
}

CAF_TEST(a name starting with a digit is malformed) {
  CAF_CHECK_EQUAL(error_of("${1X}"), "malformed environment reference in \"${1X}\": expected a "
                                     "variable name after '${'");
}

CAF_TEST(a name with an invalid character is malformed) {
  CAF_CHECK_EQUAL(error_of("${A-B}"), "malformed environment reference in \"${A-B}\": invalid "
                                      "character in variable name \"A-B\"");
}

CAF_TEST(the failure is classed as invalid config) {
  auto x = expand_env("${", fake_env());
  CAF_REQUIRE(!x);
  CAF_CHECK_EQUAL(x.error().code, errc::invalid_config);
}

CAF_TEST(the process environment reports unset variables as nullopt) {
  auto env = config::process_env();
  CAF_CHECK(!env("ET_TEST_SURELY_UNSET_VARIABLE_4711"));
}
