#pragma once
// Helpers shared by the validation suites (validate.test.cpp: aliases, roles
// and fallbacks; validate_access.test.cpp: authentication, nodes and server).
// Inline so a suite that does not use one of them compiles without warnings.

#include <filesystem>
#include <fstream>
#include <map>

#include "caf/test/unit_test.hpp"
#include "et/config/loader.hpp"
#include "temp_dir.hpp"

namespace validate_test {

using namespace et;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

inline const std::string cfg = "/etc/et/et.yaml";

inline config::env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    if (auto i = vars.find(name); i != vars.end())
      return i->second;
    return std::nullopt;
  };
}

// Never the real environment.
inline config::env_lookup fake_env() {
  return env_of({{"HOME", "/home/tester"},
                 {"OPENAI_API_KEY", "sk-openai-dummy"},
                 {"BASIC_KEY", "sk-no-colon-here"},
                 {"PASS", "hunter2-passphrase"},
                 {"PASTED_KEY", "sk-pasted-with-newline\n"}});
}

inline config::load_outcome check(const std::string& yaml, const std::string& file = cfg) {
  return config::check_string(yaml, file, fake_env());
}

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

inline config::settings valid(const std::string& yaml, const std::string& file = cfg) {
  auto out = check(yaml, file);
  CAF_CHECK_EQUAL(config::to_string(out.diagnostics), "");
  return out.value;
}

// Lines 1-12; additions start on line 13.
inline const std::string base = R"(providers:
  local:
    type: openai
    base_url: http://localhost:8000/v1
  other:
    type: ollama
models:
  fast: {provider: local, model: m1}
  slow: {provider: local, model: m2}
  gpt4o: {provider: local, model: gpt-4o}
  same-as-fast: {provider: local, model: m1}
  remote: {provider: other, model: m1}
)";

// A role "r" with `model` and `fallbacks` (a flow list), on top of `base`.
inline std::string role(const std::string& model, const std::string& fallbacks) {
  return base + "roles:\n  r:\n    model: " + model + "\n    fallbacks: " + fallbacks + "\n";
}

// A folder holding cert.pem, key.pem and ca.pem, removed at the end.
struct pki_dir {
  et::test::scratch_dir scratch{"validate"};
  fs::path path = scratch.dir;
  pki_dir() {
    for (const char* name : {"cert.pem", "key.pem", "ca.pem"})
      std::ofstream{path / name} << "-----BEGIN TEST-----\n";
  }
  std::string config_file() const { return (path / "et.yaml").string(); }
};

inline const std::string full_tls = "{certificate: cert.pem, key: key.pem, ca_file: ca.pem}";

} // namespace validate_test
