#define CAF_SUITE libet.config.loader
#include "loader_support.hpp"

// Structure and value types. Ranges, durations and defaults are in
// loader_values.test.cpp; the mock provider, env expansion and paths in
// mock_and_env.test.cpp; references and fallbacks in validate.test.cpp, auth
// and nodes in validate_access.test.cpp.

using namespace et;
using namespace loader_test;
using namespace std::chrono_literals;

// -- the example configurations ----------------------------------------------

CAF_TEST(the documented example configuration loads) {
  auto out = config::check_file(ET_SOURCE_DIR "/configs/electrictown.yaml", fake_env());
  CAF_REQUIRE_EQUAL(config::to_string(out.diagnostics), "");
  const auto& s = out.value;
  CAF_CHECK_EQUAL(s.providers.size(), 6u);
  CAF_CHECK_EQUAL(s.models.size(), 6u);
  CAF_CHECK_EQUAL(s.roles.size(), 4u);
  CAF_CHECK_EQUAL(s.specialists.size(), 1u);
  CAF_CHECK_EQUAL(s.providers.at("anthropic").api_key, "dummy-anthropic");
  CAF_CHECK_EQUAL(s.providers.at("anthropic").api_key_source, "$ANTHROPIC_API_KEY");
  CAF_CHECK_EQUAL(s.providers.at("ollama-cloud").auth, config::auth_type::bearer);
  CAF_CHECK_EQUAL(s.providers.at("ollama-local").auth, config::auth_type::none);
  CAF_CHECK_EQUAL(s.models.at("claude-sonnet").prices->cache_write, 3.75);
  CAF_CHECK_EQUAL(s.models.at("qwen-coder-local").num_ctx.value_or(0), 32768);
  const auto& polecat = s.roles.at("polecat");
  CAF_REQUIRE_EQUAL(polecat.pool.size(), 2u);
  CAF_CHECK_EQUAL(polecat.pool[1].model, "qwen-coder-cloud");
  CAF_CHECK_EQUAL(polecat.pool[1].max_concurrency, 2);
  CAF_CHECK_EQUAL(s.roles.at("refinery").system_prompt.value_or(""),
                  "You polish code and prose without changing behaviour.\n");
  CAF_CHECK_EQUAL(s.specialists.at("security").description, "reviews code for vulnerabilities");
  CAF_CHECK_EQUAL(s.defaults.state_dir, "/home/tester/.local/state/electrictown");
  CAF_CHECK_EQUAL(s.server.port, 7700u);
}

CAF_TEST(the offline demo configuration loads without any variable) {
  auto out = config::check_file(ET_SOURCE_DIR "/configs/demo.yaml", env_of({}));
  CAF_REQUIRE_EQUAL(config::to_string(out.diagnostics), "");
  const auto& sim = out.value.providers.at("sim");
  CAF_CHECK_EQUAL(sim.type, config::provider_type::mock);
  CAF_CHECK_EQUAL(sim.mock.mode, "script");
  CAF_CHECK_EQUAL(sim.mock.script.size(), 10u);
  CAF_CHECK_EQUAL(sim.mock.script[0].match, "Write a short brief");
  CAF_CHECK_EQUAL(sim.mock.script[1].match, "break the task");
  CAF_CHECK_EQUAL(sim.mock.script[6].model, "");
  CAF_CHECK_EQUAL(sim.mock.latency, 150ms);
  CAF_CHECK_EQUAL(sim.mock.tokens_per_second, 400.0);
  CAF_CHECK(sim.mock.models.empty()); // listed from the aliases instead
  CAF_CHECK_EQUAL(out.value.roles.at("polecat").pool.size(), 3u);
  CAF_CHECK_EQUAL(out.value.defaults.max_tokens, 1024);
}

CAF_TEST(load file returns the first problem as an invalid config failure) {
  temp_dir dir;
  auto file = dir.write("et.yaml", base + "retry:\n  attempts: 0\n  jitter: 2\n");
  auto s = config::load_file(file, fake_env());
  CAF_REQUIRE(!s);
  CAF_CHECK_EQUAL(s.error().code, errc::invalid_config);
  CAF_CHECK_EQUAL(s.error().message,
                  file.string() + ":9:13: retry.attempts: must be from 1 to 20, got 0");
  auto demo = config::load_file(ET_SOURCE_DIR "/configs/demo.yaml", env_of({}));
  CAF_REQUIRE(demo);
  CAF_CHECK_EQUAL(demo->source, ET_SOURCE_DIR "/configs/demo.yaml");
}

// -- files and YAML ----------------------------------------------------------

CAF_TEST(a missing file is reported by name) {
  auto out = config::check_file("/nonexistent/et.yaml", fake_env());
  CAF_CHECK_EQUAL(config::to_string(out.diagnostics),
                  "/nonexistent/et.yaml: cannot read the file\n");
}

CAF_TEST(an empty file is an error) {
  CAF_CHECK_EQUAL(errors(""), cfg + ": the file is empty\n");
  CAF_CHECK_EQUAL(errors("# only a comment\n"), cfg + ": the file is empty\n");
}

CAF_TEST(a yaml syntax error names its line and column) {
  // yaml-cpp notices the unclosed flow mapping where the next line starts.
  CAF_CHECK_EQUAL(
      errors("providers:\n  local:\n    type: openai\n    headers: {a: b\nmodels: {}\n"),
      cfg + ":5:7: invalid YAML: end of map flow not found\n");
  CAF_CHECK_EQUAL(errors("providers:\n  local:\n    type: openai\n   base_url: x\n"),
                  cfg + ":4:4: invalid YAML: end of map not found\n");
}

CAF_TEST(a top level that is not a mapping is refused) {
  CAF_CHECK_EQUAL(
      errors("- providers\n- models\n"),
      cfg + ":1:1: expected a mapping with providers, models and roles at the top level\n");
  CAF_CHECK_EQUAL(
      errors("just text\n"),
      cfg + ":1:1: expected a mapping with providers, models and roles at the top level\n");
}

// -- strict keys -------------------------------------------------------------

CAF_TEST(an unknown top level key suggests the nearest valid key) {
  CAF_CHECK_EQUAL(errors(base + "role:\n  mayor: {model: fast}\n"),
                  cfg + ":8:1: role: unknown key \"role\"; did you mean \"roles\"?\n");
}

CAF_TEST(an unknown key without a close match lists the valid keys) {
  CAF_CHECK_EQUAL(errors(base + "colour: red\n"),
                  cfg
                      + ":8:1: colour: unknown key \"colour\" (valid keys: providers, models, "
                        "roles, defaults, specialists, retry, timeouts, cooldown, supervision, "
                        "pricing, budgets, nodes, server, network, agents, verify, context)\n");
}

CAF_TEST(unknown keys are found at every depth with their full path) {
  CAF_CHECK_EQUAL(errors(R"(providers:
  local:
    type: openai
    base_url: http://localhost:8000/v1
    api_kye: secret
models:
  fast: {provider: local, model: m1, temprature: 0.5}
)"),
                  cfg
                      + ":5:5: providers.local.api_kye: unknown key \"api_kye\"; did you mean "
                        "\"api_key\"?\n"
                      + cfg
                      + ":7:38: models.fast.temprature: unknown key \"temprature\"; did you "
                        "mean \"temperature\"?\n");
  CAF_CHECK_EQUAL(
      error_at(base + "roles:\n  mayor: {model: fast, fallback: [slow]}\n", "roles.mayor.fallback"),
      "unknown key \"fallback\"; did you mean \"fallbacks\"?");
  CAF_CHECK_EQUAL(error_at(base + "retry:\n  attempt: 2\n", "retry.attempt"),
                  "unknown key \"attempt\"; did you mean \"attempts\"?");
  CAF_CHECK_EQUAL(error_at(with_mock("      latncy: 5ms\n"), "providers.sim.mock.latncy"),
                  "unknown key \"latncy\"; did you mean \"latency\"?");
  CAF_CHECK_EQUAL(error_at(base + "server:\n  lisen: 127.0.0.1:1\n", "server.lisen"),
                  "unknown key \"lisen\"; did you mean \"listen\"?");
}

CAF_TEST(a description is a key of specialists but not of roles) {
  CAF_CHECK_EQUAL(errors(base + "specialists:\n  sec: {model: fast, description: audits}\n"), "");
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor: {model: fast, description: x}\n",
                           "roles.mayor.description"),
                  "unknown key \"description\" (valid keys: model, fallbacks, pool, "
                  "system_prompt, max_tokens, temperature)");
}

CAF_TEST(a name defined twice is an error) {
  CAF_CHECK_EQUAL(errors(base + "roles:\n  mayor: {model: fast}\n  mayor: {model: slow}\n"),
                  cfg + ":10:3: roles.mayor: duplicate name\n");
}

CAF_TEST(a key written twice is an error) {
  CAF_CHECK_EQUAL(errors(base + "retry:\n  attempts: 2\n  attempts: 3\n"),
                  cfg + ":10:3: retry.attempts: duplicate key\n");
}

// -- several problems at once --------------------------------------------------

CAF_TEST(every problem is reported at once in file order) {
  auto out = check(base + R"(roles:
  mayor: {model: fadt}
retry:
  attempts: 99
timeouts:
  connect: soon
)");
  CAF_CHECK_EQUAL(config::to_string(out.diagnostics),
                  cfg
                      + ":9:18: roles.mayor.model: unknown model alias \"fadt\"; did you mean "
                        "\"fast\"?\n"
                      + cfg + ":11:13: retry.attempts: must be from 1 to 20, got 99\n" + cfg
                      + ":13:12: timeouts.connect: invalid duration \"soon\": expected e.g. "
                        "250ms, 10s, 5m, 1h or a number of seconds\n");
}

// -- value types ---------------------------------------------------------------

CAF_TEST(a list where a mapping is expected is refused) {
  CAF_CHECK_EQUAL(errors("providers: [a, b]\n"),
                  cfg + ":1:12: providers: expected a mapping of keys to values\n" + cfg
                      + ":1:12: providers: at least one provider is required\n");
  CAF_CHECK_EQUAL(error_at(base + "retry: [1, 2]\n", "retry"),
                  "expected a mapping of keys to values");
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor: [fast]\n", "roles.mayor"),
                  "expected a mapping of keys to values");
  CAF_CHECK_EQUAL(error_at(base + "timeouts: 10s\n", "timeouts"),
                  "expected a mapping of keys to values");
  CAF_CHECK_EQUAL(error_at(with_mock("      - echo\n"), "providers.sim.mock"),
                  "expected a mapping of keys to values");
}

CAF_TEST(a mapping where a list is expected is refused) {
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor:\n    model: fast\n    fallbacks: {a: b}\n",
                           "roles.mayor.fallbacks"),
                  "expected a list");
  CAF_CHECK_EQUAL(
      error_at(with_mock("      faults: {error: timeout}\n"), "providers.sim.mock.faults"),
      "expected a list");
}

CAF_TEST(a list where a string is expected is refused) {
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  model: [fast]\n", "defaults.model"),
                  "expected a string");
  CAF_CHECK_EQUAL(error_at("providers:\n  local:\n    type: [openai]\n", "providers.local.type"),
                  "expected a string");
}

CAF_TEST(numbers and booleans must parse) {
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  max_tokens: lots\n", "defaults.max_tokens"),
                  "expected a whole number, got \"lots\"");
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  max_tokens: 10.5\n", "defaults.max_tokens"),
                  "expected a whole number, got \"10.5\"");
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  max_tokens: [1]\n", "defaults.max_tokens"),
                  "expected a whole number");
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  temperature: warm\n", "defaults.temperature"),
                  "expected a number, got \"warm\"");
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  temperature: .inf\n", "defaults.temperature"),
                  "expected a number, got \".inf\"");
  CAF_CHECK_EQUAL(error_at("providers:\n  local:\n    type: openai\n    base_url: http://h\n"
                           "    tls: {verify: maybe}\n",
                           "providers.local.tls.verify"),
                  "expected true or false, got \"maybe\"");
}

CAF_TEST(booleans accept yes no on and off) {
  auto s = valid("providers:\n  a: {type: ollama, tls: {verify: no}}\n"
                 "  b: {type: ollama, tls: {verify: on}}\n");
  CAF_CHECK(!s.providers.at("a").tls.verify);
  CAF_CHECK(s.providers.at("b").tls.verify);
}
