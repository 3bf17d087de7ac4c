#define CAF_SUITE libet.config.summary
#include "caf/test/unit_test.hpp"

#include <fstream>
#include <map>

#include "et/config/loader.hpp"
#include "et/config/summary.hpp"
#include "temp_dir.hpp"

using namespace et;
namespace fs = std::filesystem;

namespace {

// Never the real environment; the values are what must not leak.
config::env_lookup fake_env() {
  static const std::map<std::string, std::string> vars{{"HOME", "/home/tester"},
                                                       {"ANTHROPIC_API_KEY", "sk-ant-SECRET-1"},
                                                       {"OLLAMA_API_KEY", "ollama-SECRET-2"},
                                                       {"PASS", "passphrase-SECRET-3"}};
  return [](const std::string& name) -> std::optional<std::string> {
    if (auto i = vars.find(name); i != vars.end())
      return i->second;
    return std::nullopt;
  };
}

// A folder with TLS files and the configuration, removed at the end.
struct config_dir {
  et::test::scratch_dir scratch{"summary"};
  fs::path path = scratch.dir;
  config_dir() {
    for (const char* name : {"cert.pem", "key.pem", "ca.pem"})
      std::ofstream{path / name} << "-----BEGIN TEST-----\n";
  }

  config::settings load(const std::string& yaml) const {
    auto out = config::check_string(yaml, (path / "et.yaml").string(), fake_env());
    CAF_CHECK_EQUAL(config::to_string(out.diagnostics), "");
    return out.value;
  }
};

const std::string sample = R"(providers:
  claude: {type: anthropic, api_key: $ANTHROPIC_API_KEY}
  cloud: {type: ollama, base_url: "https://ollama.com", api_key: "${OLLAMA_API_KEY}"}
  local: {type: ollama}
  sim: {type: mock, mock: {mode: fixed, text: hi}}
models:
  sonnet: {provider: claude, model: claude-sonnet-4}
  coder: {provider: local, model: "qwen3-coder:30b"}
roles:
  mayor: {model: sonnet, fallbacks: [coder]}
  polecat:
    model: coder
    pool: [coder, {model: sonnet, max_concurrency: 3}]
specialists:
  security: {model: sonnet, description: reviews code}
defaults:
  model: coder
  fallbacks: [sonnet]
nodes:
  gpu: {address: "127.0.0.5:7700"}
  secure:
    address: "127.0.0.6:7700"
    tls: {certificate: cert.pem, key: key.pem, ca_file: ca.pem, passphrase: $PASS}
)";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

CAF_TEST(the summary lists providers models roles specialists defaults and nodes) {
  config_dir dir;
  auto text = config::describe(dir.load(sample));
  CAF_CHECK_EQUAL(text,
                  "providers (4):\n"
                  "  claude  anthropic  https://api.anthropic.com  auth x-api-key, key set (from "
                  "$ANTHROPIC_API_KEY)\n"
                  "  cloud   ollama     https://ollama.com  auth bearer, key set (from "
                  "$OLLAMA_API_KEY)\n"
                  "  local   ollama     http://localhost:11434  auth none, no key\n"
                  "  sim     mock       in-process, mode fixed\n"
                  "models (2):\n"
                  "  coder   local/qwen3-coder:30b\n"
                  "  sonnet  claude/claude-sonnet-4\n"
                  "roles (2):\n"
                  "  mayor    sonnet  fallbacks: coder\n"
                  "  polecat  coder  pool: coder, sonnet x3\n"
                  "specialists (1):\n"
                  "  security  sonnet  (reviews code)\n"
                  "defaults: coder  fallbacks: sonnet\n"
                  "nodes (2):\n"
                  "  gpu     127.0.0.5:7700  plain TCP\n"
                  "  secure  127.0.0.6:7700  mutual TLS\n");
}

CAF_TEST(the summary never contains a key or passphrase loaded from the environment) {
  config_dir dir;
  auto s = dir.load(sample);
  CAF_REQUIRE_EQUAL(s.providers.at("claude").api_key, "sk-ant-SECRET-1");
  CAF_REQUIRE_EQUAL(s.nodes.at("secure").tls.passphrase, "passphrase-SECRET-3");
  auto text = config::describe(s);
  CAF_CHECK(!contains(text, "SECRET"));
}

CAF_TEST(an inline key is reported as inline and not shown) {
  config_dir dir;
  auto s = dir.load("providers:\n  v: {type: openai, base_url: \"http://gpu:1\", "
                    "api_key: sk-inline-SECRET}\n");
  auto text = config::describe(s);
  CAF_CHECK(contains(text, "auth bearer, key set (inline)"));
  CAF_CHECK(!contains(text, "SECRET"));
}

CAF_TEST(a basic auth password is not shown) {
  config_dir dir;
  auto s = dir.load("providers:\n  v: {type: ollama, auth_type: basic, "
                    "api_key: \"alice:pw-SECRET\"}\n");
  auto text = config::describe(s);
  CAF_CHECK(contains(text, "auth basic, key set (inline)"));
  CAF_CHECK(!contains(text, "SECRET"));
  CAF_CHECK(!contains(text, "alice"));
}

CAF_TEST(the inline default of an env reference is not shown) {
  config_dir dir;
  auto s = dir.load("providers:\n  v: {type: openai, base_url: \"http://gpu:1\", "
                    "api_key: \"${VLLM_KEY:-sk-default-SECRET}\"}\n");
  CAF_REQUIRE_EQUAL(s.providers.at("v").api_key, "sk-default-SECRET");
  auto text = config::describe(s);
  CAF_CHECK(contains(text, "key set (from $VLLM_KEY)"));
  CAF_CHECK(!contains(text, "SECRET"));
}

CAF_TEST(an inline key with an escaped dollar is not mistaken for a reference) {
  config_dir dir;
  auto s = dir.load("providers:\n  v: {type: openai, base_url: \"http://gpu:1\", "
                    "api_key: \"pa$$word-SECRET\"}\n");
  CAF_REQUIRE_EQUAL(s.providers.at("v").api_key, "pa$word-SECRET");
  auto text = config::describe(s);
  CAF_CHECK(contains(text, "key set (inline)"));
  CAF_CHECK(!contains(text, "SECRET"));
}

CAF_TEST(a key mixing text and a variable shows only the variable name) {
  config::settings s;
  auto& p = s.providers["v"];
  p.type = config::provider_type::openai;
  p.base_url = "http://gpu:1";
  p.auth = config::auth_type::bearer;
  p.api_key = "prefix-SECRET-value";
  p.api_key_source = "prefix-SECRET-$SUFFIX_VAR$1-US$";
  auto text = config::describe(s);
  CAF_CHECK(contains(text, "key set (from $SUFFIX_VAR)"));
  CAF_CHECK(!contains(text, "SECRET"));
}

CAF_TEST(a provider without a key says so) {
  config::settings s;
  s.providers["g"].type = config::provider_type::gemini;
  s.providers["g"].base_url = "https://g";
  CAF_CHECK(contains(config::describe(s), "  g  gemini     https://g  auth none, no key\n"));
}

CAF_TEST(empty sections are left out) {
  config::settings s;
  s.providers["sim"].type = config::provider_type::mock;
  CAF_CHECK_EQUAL(config::describe(s),
                  "providers (1):\n  sim  mock       in-process, mode echo\nmodels (0):\n");
}
