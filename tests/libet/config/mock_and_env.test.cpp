#define CAF_SUITE libet.config.mock_and_env
#include "loader_support.hpp"

#include <algorithm>

#include "et/config/secrets.hpp"

// The mock provider's settings, env expansion and relative paths.

using namespace et;
using namespace loader_test;
using namespace std::chrono_literals;

CAF_TEST(mock settings are read) {
  auto s = valid(with_mock(R"(      mode: fixed
      text: hello
      latency: 20ms
      tokens_per_second: 50
      seed: 7
      models: single-model
      faults:
        - {error: rate_limited, on_calls: [1, 3], retry_after: 2s}
        - {error: overloaded, probability: 0.25, message: busy}
)"));
  const auto& m = s.providers.at("sim").mock;
  CAF_CHECK_EQUAL(m.mode, "fixed");
  CAF_CHECK_EQUAL(m.text, "hello");
  CAF_CHECK_EQUAL(m.latency, 20ms);
  CAF_CHECK_EQUAL(m.tokens_per_second, 50.0);
  CAF_CHECK_EQUAL(m.seed, 7u);
  CAF_REQUIRE_EQUAL(m.models.size(), 1u);
  CAF_CHECK_EQUAL(m.models[0], "single-model");
  CAF_REQUIRE_EQUAL(m.faults.size(), 2u);
  CAF_CHECK_EQUAL(m.faults[0].error, errc::rate_limited);
  CAF_REQUIRE_EQUAL(m.faults[0].on_calls.size(), 2u);
  CAF_CHECK_EQUAL(m.faults[0].on_calls[1], 3);
  CAF_CHECK_EQUAL(m.faults[0].retry_after, 2s);
  CAF_CHECK_EQUAL(m.faults[0].message, "injected rate_limited");
  CAF_CHECK_EQUAL(m.faults[1].probability, 0.25);
  CAF_CHECK_EQUAL(m.faults[1].message, "busy");
}

CAF_TEST(mock mode must be echo fixed or script) {
  CAF_CHECK_EQUAL(error_at(with_mock("      mode: stream\n"), "providers.sim.mock.mode"),
                  "unknown mode \"stream\" (echo, fixed or script)");
  CAF_CHECK_EQUAL(error_at(with_mock("      mode: fixed\n"), "providers.sim.mock"),
                  "mode fixed needs a text");
  CAF_CHECK_EQUAL(error_at(with_mock("      mode: script\n"), "providers.sim.mock"),
                  "mode script needs at least one script rule");
}

CAF_TEST(every mock script rule needs a reply) {
  CAF_CHECK_EQUAL(errors(with_mock("      mode: script\n      script:\n        - {match: hi}\n")),
                  cfg + ":7:11: providers.sim.mock.script[0]: a script rule needs a reply\n");
  CAF_CHECK_EQUAL(error_at(with_mock("      script:\n        - {reply: x, mach: y}\n"),
                           "providers.sim.mock.script[0].mach"),
                  "unknown key \"mach\"; did you mean \"match\"?");
}

CAF_TEST(mock faults need a known error class and a trigger) {
  CAF_CHECK_EQUAL(error_at(with_mock("      faults:\n        - {error: meltdown, on_calls: [1]}\n"),
                           "providers.sim.mock.faults[0].error"),
                  "unknown error class \"meltdown\" (e.g. rate_limited, overloaded, server_error, "
                  "timeout, network, context_overflow, auth)");
  CAF_CHECK_EQUAL(error_at(with_mock("      faults:\n        - {on_calls: [1]}\n"),
                           "providers.sim.mock.faults[0]"),
                  "a fault needs an error class (key \"error\")");
  CAF_CHECK_EQUAL(error_at(with_mock("      faults:\n        - {error: timeout}\n"),
                           "providers.sim.mock.faults[0]"),
                  "a fault needs on_calls or a probability above 0");
  CAF_CHECK_EQUAL(error_at(with_mock("      faults:\n        - {error: timeout, on_calls: [0]}\n"),
                           "providers.sim.mock.faults[0].on_calls[0]"),
                  "must be from 1 to 1000000000, got 0");
  CAF_CHECK_EQUAL(
      error_at(with_mock("      faults:\n        - {error: timeout, probability: 1.5}\n"),
               "providers.sim.mock.faults[0].probability"),
      "must be from 0 to 1, got 1.5");
}

CAF_TEST(mock settings on another provider type are refused) {
  CAF_CHECK_EQUAL(error_at("providers:\n  local:\n    type: ollama\n    mock: {mode: echo}\n",
                           "providers.local.mock"),
                  "mock settings only apply to providers of type mock");
}

// -- defaults ----------------------------------------------------------------------

CAF_TEST(env references expand in any string value) {
  auto s = valid(R"(providers:
  local:
    type: openai
    base_url: ${LLM_URL:-http://localhost:8000}/v1
    headers: {X-Title: "$APP_NAME", X-Cost: "US$$5"}
models:
  fast: {provider: local, model: "${MODEL_ID}"}
roles:
  mayor: {model: fast, system_prompt: "You are $APP_NAME."}
)");
  const auto& p = s.providers.at("local");
  CAF_CHECK_EQUAL(p.base_url, "http://localhost:8000/v1");
  CAF_CHECK_EQUAL(p.headers.at("X-Title"), "et");
  CAF_CHECK_EQUAL(p.headers.at("X-Cost"), "US$5");
  CAF_CHECK_EQUAL(s.models.at("fast").model, "qwen");
  CAF_CHECK_EQUAL(s.roles.at("mayor").system_prompt.value_or(""), "You are et.");
}

CAF_TEST(secrets lists every api key and credential header to scrub and nothing else) {
  auto s = valid(R"(providers:
  a: {type: openai, api_key: sk-one, headers: {Authorization: Basic dXNlcg, X-Title: et}}
  b: {type: anthropic, api_key: sk-ant-two}
  c: {type: ollama}
models:
  fast: {provider: a, model: m}
)");
  auto secrets = s.secrets();
  auto has = [&](const std::string& x) {
    return std::find(secrets.begin(), secrets.end(), x) != secrets.end();
  };
  // Each secret, and the spellings an upstream may echo: the credential after
  // the scheme word, base64 (as Basic auth sends it).
  for (auto x : {"Basic dXNlcg", "dXNlcg", "sk-ant-two", "sk-one", "c2stb25l", "736b2d6f6e65",
                 "736B2D6F6E65"})
    CAF_CHECK(has(x));
  CAF_CHECK(!has("et"));
  CAF_CHECK(!has(""));
  // Longest first, so that a form inside a longer one is replaced after it.
  for (size_t i = 1; i < secrets.size(); ++i)
    CAF_CHECK(secrets[i - 1].size() >= secrets[i].size());
}

CAF_TEST(env references expand in numbers and durations too) {
  auto s = config::check_string(base + "retry:\n  attempts: $TRIES\n  max_wait: ${WAIT:-2m}\n", cfg,
                                env_of({{"TRIES", "7"}}));
  CAF_REQUIRE_EQUAL(config::to_string(s.diagnostics), "");
  CAF_CHECK_EQUAL(s.value.retry.attempts, 7);
  CAF_CHECK_EQUAL(s.value.retry.max_wait, 2min);
}

CAF_TEST(a malformed env reference is located) {
  CAF_CHECK_EQUAL(errors(base + "roles:\n  mayor: {model: fast, system_prompt: \"${X\"}\n"),
                  cfg
                      + ":9:39: roles.mayor.system_prompt: malformed environment reference in "
                        "\"${X\": missing '}'\n");
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  log_dir: ${}\n", "defaults.log_dir"),
                  "malformed environment reference in \"${}\": expected a variable name after "
                  "'${'");
}

// -- paths ---------------------------------------------------------------------------

CAF_TEST(relative paths are resolved against the folder of the file) {
  auto s = valid(R"(providers:
  local:
    type: openai
    base_url: http://localhost:8000/v1
    tls: {ca_file: certs/ca.pem}
defaults:
  state_dir: state
  runs_dir: ../runs
  log_dir: ~/logs
)");
  CAF_CHECK_EQUAL(s.defaults.state_dir, "/etc/et/state");
  CAF_CHECK_EQUAL(s.defaults.runs_dir, "/etc/runs");
  CAF_CHECK_EQUAL(s.defaults.log_dir, "/home/tester/logs");
  CAF_CHECK_EQUAL(s.providers.at("local").tls.ca_file, "/etc/et/certs/ca.pem");
}

CAF_TEST(absolute paths are kept) {
  auto s = valid(base + "defaults:\n  state_dir: /var/lib/et/\n  runs_dir: /a/./b/../c\n");
  CAF_CHECK_EQUAL(s.defaults.state_dir, "/var/lib/et/");
  CAF_CHECK_EQUAL(s.defaults.runs_dir, "/a/c");
}

CAF_TEST(the price file is found next to the configuration) {
  temp_dir dir;
  dir.write("prices.json", "{}");
  auto file = (dir.path / "et.yaml").string();
  auto out = config::check_string(base + "pricing:\n  file: prices.json\n", file, fake_env());
  CAF_REQUIRE_EQUAL(config::to_string(out.diagnostics), "");
  CAF_CHECK_EQUAL(out.value.pricing.file, (dir.path / "prices.json").string());
}

CAF_TEST(a missing price file is an error naming the resolved path) {
  CAF_CHECK_EQUAL(errors(base + "pricing:\n  file: prices.json\n"),
                  cfg + ":9:9: pricing.file: price file \"/etc/et/prices.json\" does not exist\n");
}

CAF_TEST(a key over plain http to a host off loopback is warned about) {
  auto s = valid(R"(providers:
  lan: {type: openai, base_url: "http://10.0.0.5:8000/v1", api_key: sk-lan}
  proxied: {type: ollama, base_url: "http://gpu.lan:11434", headers: {Authorization: Bearer t}}
  open: {type: ollama, base_url: "http://gpu.lan:11434"}
  local: {type: openai, base_url: "http://127.0.0.1:8000/v1", api_key: sk-local}
  named: {type: ollama, base_url: "http://LocalHost:11434", headers: {Authorization: Bearer t}}
  cloud: {type: openai, base_url: "https://api.example.com/v1", api_key: sk-cloud}
models:
  fast: {provider: lan, model: m}
)");
  auto warnings = config::plaintext_secret_warnings(s);
  CAF_REQUIRE_EQUAL(warnings.size(), 2u);
  CAF_CHECK_EQUAL(warnings[0], "providers.lan: its key goes over plain http to 10.0.0.5; anyone "
                               "on the network path can read it (use https)");
  CAF_CHECK(warnings[1].find("providers.proxied: ") == 0);
  for (const auto& w : warnings) // the warning names the place, never the key
    CAF_CHECK(w.find("sk-") == std::string::npos && w.find("Bearer") == std::string::npos);
}
