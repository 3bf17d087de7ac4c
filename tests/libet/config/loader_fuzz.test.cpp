#define CAF_SUITE libet.config.loader_fuzz
#include "caf/test/unit_test.hpp"

// Configs fuzz/config broke an invariant with: what the loader must make of them.

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "et/config/loader.hpp"

using namespace et::config;

namespace {

std::optional<std::string> env(const std::string& name) {
  if (name.find("KEY") != std::string::npos)
    return "sk-ENVSECRET-" + name; // one value per variable
  return std::nullopt;
}

bool any_mentions(const load_outcome& out, std::string_view text) {
  for (const auto& d : out.diagnostics)
    if (to_string(d).find(text) != std::string::npos)
      return true;
  return false;
}

} // namespace

// The fuzzer's mutation of configs/electrictown.yaml (tests/data/fuzz/config_env_secret.yaml,
// byte for byte) has `listen: 127.0.0.1:7700   ${OPENAI_API_KEY}ack address ...`: the error
// about that listen address quoted the expanded value, API key included.
CAF_TEST(a diagnostic never quotes a value from the environment) {
  std::ifstream in{ET_SOURCE_DIR "/tests/data/fuzz/config_env_secret.yaml", std::ios::binary};
  CAF_REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  auto out = check_string(text.str(), "fuzz.yaml", env);
  CAF_REQUIRE(!out.ok());
  CAF_CHECK(!any_mentions(out, "sk-ENVSECRET"));
  CAF_CHECK(any_mentions(out, "${OPENAI_API_KEY}"));
  // The same in a small file.
  auto small =
      check_string("providers: {}\nserver:\n  listen: ${OPENAI_API_KEY}x\n", "s.yaml", env);
  CAF_REQUIRE(!small.ok());
  CAF_CHECK(!any_mentions(small, "sk-ENVSECRET"));
}

// A secret from the environment that the file also spells out as a key (pasted one line too
// far) is hidden in the diagnostic's key path as it is in its message.
CAF_TEST(a key spelling out an environment secret is hidden in the key path) {
  auto out = check_string("providers:\n  p:\n    type: openai\n    api_key: ${OPENAI_API_KEY}\n"
                          "retry:\n  sk-ENVSECRET-OPENAI_API_KEY: 1\n",
                          "s.yaml", env);
  CAF_REQUIRE(!out.ok());
  CAF_CHECK(!any_mentions(out, "sk-ENVSECRET"));
  CAF_CHECK(any_mentions(out, "retry.${OPENAI_API_KEY}"));
}
