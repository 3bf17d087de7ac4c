// Fuzz target: the config loader (et/config: YAML, env expansion, validation) on arbitrary
// text. Invariants: it never throws; it is deterministic; a diagnostic never holds the value of
// an environment variable holding a key (an API key read from $X_API_KEY stays secret even
// when the config around it is wrong).

#include <optional>
#include <string>

#include "et/config/loader.hpp"
#include "fuzz_support.hpp"

namespace {

constexpr std::string_view env_secret = "sk-ENVSECRET";

std::optional<std::string> lookup(const std::string& name) {
  if (name.find("KEY") != std::string::npos || name.find("TOKEN") != std::string::npos)
    return std::string{env_secret};
  if (name == "HOME")
    return std::string{"/home/fuzz"};
  if (name == "EMPTY")
    return std::string{};
  return std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto yaml = et::fuzz::bytes(data, size);
  bool literal_secret = yaml.find(env_secret) != std::string_view::npos;
  auto a = et::config::check_string(yaml, "fuzz.yaml", lookup);
  auto b = et::config::check_string(yaml, "fuzz.yaml", lookup);
  FUZZ_CHECK(a.diagnostics.size() == b.diagnostics.size(), "loading is not deterministic");
  for (size_t i = 0; i < a.diagnostics.size(); ++i) {
    auto text = et::config::to_string(a.diagnostics[i]);
    FUZZ_CHECK(text == et::config::to_string(b.diagnostics[i]), "loading is not deterministic");
    FUZZ_CHECK(literal_secret || text.find(env_secret) == std::string::npos,
               "an environment secret leaked into a diagnostic");
  }
  return 0;
}
