#pragma once
// Helpers shared by the loader suites (loader, loader_values, mock_and_env).
// Inline so a suite that does not use one of them compiles without warnings.

#include <filesystem>
#include <fstream>
#include <map>

#include "caf/test/unit_test.hpp"
#include "et/config/loader.hpp"
#include "temp_dir.hpp"

namespace loader_test {

using namespace et;
namespace fs = std::filesystem;

const std::string cfg = "/etc/et/et.yaml";

inline config::env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    if (auto i = vars.find(name); i != vars.end())
      return i->second;
    return std::nullopt;
  };
}

// Never the real environment: every variable a test relies on is set here.
inline config::env_lookup fake_env() {
  return env_of({{"HOME", "/home/tester"},
                 {"ANTHROPIC_API_KEY", "dummy-anthropic"},
                 {"OPENAI_API_KEY", "dummy-openai"},
                 {"GEMINI_API_KEY", "dummy-gemini"},
                 {"OLLAMA_API_KEY", "dummy-ollama"},
                 {"APP_NAME", "et"},
                 {"MODEL_ID", "qwen"}});
}

inline config::load_outcome check(const std::string& yaml) {
  return config::check_string(yaml, cfg, fake_env());
}

// Every diagnostic rendered, one per line; "" for a valid file.
inline std::string errors(const std::string& yaml) {
  return config::to_string(check(yaml).diagnostics);
}

// The message reported for `path`, or what was reported instead.
inline std::string error_at(const std::string& yaml, const std::string& path) {
  auto out = check(yaml);
  for (const auto& d : out.diagnostics)
    if (d.path == path)
      return d.message;
  return "<nothing at " + path + "; got: " + config::to_string(out.diagnostics) + ">";
}

// The settings of a file that must be valid.
inline config::settings valid(const std::string& yaml) {
  auto out = check(yaml);
  CAF_CHECK_EQUAL(config::to_string(out.diagnostics), "");
  return out.value;
}

// Lines 1-7; additions start on line 8.
const std::string base = R"(providers:
  local:
    type: openai
    base_url: http://localhost:8000/v1
models:
  fast: {provider: local, model: m1}
  slow: {provider: local, model: m2}
)";

// A mock provider with `mock_yaml` (indented by six spaces) as its settings.
inline std::string with_mock(const std::string& mock_yaml) {
  return "providers:\n  sim:\n    type: mock\n    mock:\n" + mock_yaml
         + "models:\n  m: {provider: sim, model: x}\n";
}

// A private folder, removed at the end of the test.
struct temp_dir {
  et::test::scratch_dir scratch{"loader"};
  fs::path path = scratch.dir;
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream{path / name} << text;
    return path / name;
  }
};

} // namespace loader_test
