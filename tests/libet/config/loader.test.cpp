#define CAF_SUITE libet.config.loader
#include "loader_support.hpp"

// Structure, value types, ranges and defaults. The mock provider, env
// expansion and paths are in mock_and_env.test.cpp; references, fallbacks,
// auth and nodes in validate.test.cpp.

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
                        "pricing, budgets, nodes, server, network, agents, verify)\n");
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

// -- numeric ranges --------------------------------------------------------------

CAF_TEST(a range error renders with its location) {
  CAF_CHECK_EQUAL(errors(base + "retry:\n  attempts: 21\n"),
                  cfg + ":9:13: retry.attempts: must be from 1 to 20, got 21\n");
}

CAF_TEST(sampling options must be within their ranges) {
  auto model = [](const std::string& option) {
    return "providers:\n  local: {type: ollama}\nmodels:\n  m: {provider: local, model: x, "
           + option + "}\n";
  };
  CAF_CHECK_EQUAL(error_at(model("temperature: 2.5"), "models.m.temperature"),
                  "must be from 0 to 2, got 2.5");
  CAF_CHECK_EQUAL(error_at(model("top_p: 1.5"), "models.m.top_p"), "must be from 0 to 1, got 1.5");
  CAF_CHECK_EQUAL(error_at(model("max_tokens: 0"), "models.m.max_tokens"),
                  "must be from 1 to 10000000, got 0");
  CAF_CHECK_EQUAL(error_at(model("context_window: 0"), "models.m.context_window"),
                  "must be from 1 to 100000000, got 0");
  CAF_CHECK_EQUAL(error_at(model("num_ctx: -1"), "models.m.num_ctx"),
                  "must be from 1 to 100000000, got -1");
  CAF_CHECK_EQUAL(errors(model("temperature: 2, top_p: 0, max_tokens: 1")), "");
}

CAF_TEST(role and default overrides must be within their ranges) {
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor: {model: fast, temperature: -0.1}\n",
                           "roles.mayor.temperature"),
                  "must be from 0 to 2, got -0.1");
  CAF_CHECK_EQUAL(error_at(base + "roles:\n  mayor: {model: fast, max_tokens: 20000000}\n",
                           "roles.mayor.max_tokens"),
                  "must be from 1 to 10000000, got 20000000");
  CAF_CHECK_EQUAL(error_at(base + "defaults:\n  temperature: 3\n", "defaults.temperature"),
                  "must be from 0 to 2, got 3");
}

CAF_TEST(pool concurrency must be from 1 to 1024) {
  auto pool = [](const std::string& n) {
    return base + "roles:\n  polecat:\n    pool:\n      - {model: fast, max_concurrency: " + n
           + "}\n";
  };
  CAF_CHECK_EQUAL(error_at(pool("0"), "roles.polecat.pool[0].max_concurrency"),
                  "must be from 1 to 1024, got 0");
  CAF_CHECK_EQUAL(error_at(pool("1025"), "roles.polecat.pool[0].max_concurrency"),
                  "must be from 1 to 1024, got 1025");
  // Bound to a local: CAF_CHECK_EQUAL keeps `auto&&` to its argument, which would
  // point into the temporary settings after they die (ASan: heap-use-after-free).
  auto s = valid(pool("1024"));
  CAF_CHECK_EQUAL(s.roles.at("polecat").pool[0].max_concurrency, 1024);
}

CAF_TEST(retry and cooldown settings must be within their ranges) {
  CAF_CHECK_EQUAL(error_at(base + "retry:\n  attempts: 0\n", "retry.attempts"),
                  "must be from 1 to 20, got 0");
  CAF_CHECK_EQUAL(error_at(base + "retry:\n  jitter: 1.5\n", "retry.jitter"),
                  "must be from 0 to 1, got 1.5");
  CAF_CHECK_EQUAL(error_at(base + "cooldown:\n  failures: 0\n", "cooldown.failures"),
                  "must be from 1 to 1000, got 0");
  CAF_CHECK_EQUAL(error_at(base + "supervision:\n  max_restarts: -1\n", "supervision.max_restarts"),
                  "must be from 0 to 1000, got -1");
  CAF_CHECK_EQUAL(error_at(base + "server:\n  max_in_flight: 0\n", "server.max_in_flight"),
                  "must be from 1 to 100000, got 0");
  CAF_CHECK_EQUAL(error_at("providers:\n  local: {type: ollama, max_connections: 0}\n",
                           "providers.local.max_connections"),
                  "must be from 1 to 4096, got 0");
}

CAF_TEST(prices must not be negative) {
  auto priced = [](const std::string& price) {
    return "providers:\n  local: {type: ollama}\nmodels:\n  p: {provider: local, model: x, price: "
           + price + "}\n";
  };
  CAF_CHECK_EQUAL(error_at(priced("{input: -1}"), "models.p.price.input"),
                  "must be from 0 to 1000000, got -1");
  CAF_CHECK_EQUAL(error_at(priced("{output: 1e7}"), "models.p.price.output"),
                  "must be from 0 to 1000000, got 1e7");
  auto s = valid(priced("{input: 1.5, cache_read: 0.1}"));
  CAF_REQUIRE(s.models.at("p").prices);
  CAF_CHECK_EQUAL(s.models.at("p").prices->input, 1.5);
  CAF_CHECK_EQUAL(s.models.at("p").prices->output, 0.0);
  CAF_CHECK_EQUAL(s.models.at("p").prices->cache_read, 0.1);
}

CAF_TEST(budgets must be positive) {
  CAF_CHECK_EQUAL(error_at(base + "budgets:\n  per_run: 0\n", "budgets.per_run"),
                  "must be from 0.000001 to 1000000000, got 0");
  CAF_CHECK_EQUAL(error_at(base + "budgets:\n  per_day: -5\n", "budgets.per_day"),
                  "must be from 0.000001 to 1000000000, got -5");
  CAF_CHECK_EQUAL(
      error_at(base + "budgets:\n  per_role: {polecat: -1}\n", "budgets.per_role.polecat"),
      "must be from 0.000001 to 1000000000, got -1");
  auto s = valid(base + "budgets:\n  per_run: 2.5\n  per_role: {polecat: 1}\n");
  CAF_CHECK_EQUAL(s.budgets.per_run.value_or(0), 2.5);
  CAF_CHECK(!s.budgets.per_day);
  CAF_CHECK_EQUAL(s.budgets.per_role.at("polecat"), 1.0);
}

// -- durations -------------------------------------------------------------------

CAF_TEST(durations must parse and be positive) {
  CAF_CHECK_EQUAL(error_at(base + "timeouts:\n  idle: 0s\n", "timeouts.idle"),
                  "must be longer than 0");
  CAF_CHECK_EQUAL(error_at(base + "cooldown:\n  period: -1s\n", "cooldown.period"),
                  "invalid duration \"-1s\": expected e.g. 250ms, 10s, 5m, 1h or a number of "
                  "seconds");
  auto s = valid(base + "timeouts:\n  connect: 1.5\n  total: 2h\ncooldown:\n  window: 5m\n");
  CAF_CHECK_EQUAL(s.timeouts.connect, 1500ms);
  CAF_CHECK_EQUAL(s.timeouts.total, 2h);
  CAF_CHECK_EQUAL(s.cooldown.window, 5min);
}

CAF_TEST(max backoff must not be shorter than initial backoff) {
  CAF_CHECK_EQUAL(errors(base + "retry:\n  initial_backoff: 10s\n  max_backoff: 1s\n"),
                  cfg + ":10:16: retry.max_backoff: must not be shorter than initial_backoff\n");
}

CAF_TEST(an initial backoff beyond the default maximum points at itself) {
  CAF_CHECK_EQUAL(
      errors(base + "retry:\n  initial_backoff: 1m\n"),
      cfg + ":9:20: retry.initial_backoff: must not be longer than max_backoff (30s)\n");
}

// -- the mock provider -------------------------------------------------------------

CAF_TEST(policies take their defaults when absent) {
  auto s = valid(base);
  CAF_CHECK_EQUAL(s.retry.attempts, 3);
  CAF_CHECK_EQUAL(s.retry.initial_backoff, 500ms);
  CAF_CHECK_EQUAL(s.retry.max_backoff, 30s);
  CAF_CHECK_EQUAL(s.retry.max_wait, 60s);
  CAF_CHECK_EQUAL(s.retry.jitter, 0.2);
  CAF_CHECK_EQUAL(s.timeouts.connect, 10s);
  CAF_CHECK_EQUAL(s.timeouts.first_byte, 120s);
  CAF_CHECK_EQUAL(s.timeouts.idle, 60s);
  CAF_CHECK_EQUAL(s.timeouts.total, 600s);
  CAF_CHECK_EQUAL(s.cooldown.failures, 3);
  CAF_CHECK_EQUAL(s.cooldown.window, 60s);
  CAF_CHECK_EQUAL(s.cooldown.period, 30s);
  CAF_CHECK_EQUAL(s.supervision.max_restarts, 5);
  CAF_CHECK_EQUAL(s.supervision.window, 10s);
  CAF_CHECK_EQUAL(s.defaults.max_tokens, 4096);
  CAF_CHECK(!s.defaults.temperature);
  CAF_CHECK_EQUAL(s.server.host, "127.0.0.1");
  CAF_CHECK_EQUAL(s.server.port, 7700u);
  CAF_CHECK_EQUAL(s.server.max_in_flight, 64);
  CAF_CHECK_EQUAL(s.network.heartbeat, 1s);
  CAF_CHECK_EQUAL(s.network.peer_timeout, 10s);
  CAF_CHECK(s.pricing.file.empty());
  CAF_CHECK(!s.budgets.per_run);
}

CAF_TEST(keys absent from a section keep their defaults) {
  auto s = valid(base + "retry:\n  attempts: 5\ncooldown:\n  period: 1m\n");
  CAF_CHECK_EQUAL(s.retry.attempts, 5);
  CAF_CHECK_EQUAL(s.retry.max_backoff, 30s);
  CAF_CHECK_EQUAL(s.cooldown.failures, 3);
  CAF_CHECK_EQUAL(s.cooldown.period, 1min);
}

CAF_TEST(heartbeats are configurable and the timeout must span two of them) {
  auto s = valid(base + "network: {heartbeat: 200ms, peer_timeout: 1s}\n");
  CAF_CHECK_EQUAL(s.network.heartbeat, 200ms);
  CAF_CHECK_EQUAL(s.network.peer_timeout, 1s);
  CAF_CHECK_EQUAL(
      error_at(base + "network: {heartbeat: 1s, peer_timeout: 1500ms}\n", "network.peer_timeout"),
      "must be at least twice network.heartbeat");
  // Only the heartbeat given: the default timeout is checked against it too.
  CAF_CHECK_EQUAL(error_at(base + "network: {heartbeat: 6s}\n", "network.peer_timeout"),
                  "must be at least twice network.heartbeat");
  CAF_CHECK_EQUAL(error_at(base + "network: {heartbeat: 5ms}\n", "network.heartbeat"),
                  "must be at least 10ms");
  CAF_CHECK_EQUAL(error_at(base + "network: {hearbeat: 1s}\n", "network.hearbeat"),
                  "unknown key \"hearbeat\"; did you mean \"heartbeat\"?");
}

CAF_TEST(each provider type has its default base url) {
  auto s = valid(R"(providers:
  o: {type: openai, api_key: k}
  a: {type: anthropic, api_key: k}
  l: {type: ollama}
  g: {type: gemini, api_key: k}
  s: {type: mock}
)");
  CAF_CHECK_EQUAL(s.providers.at("o").base_url, "https://api.openai.com/v1");
  CAF_CHECK_EQUAL(s.providers.at("a").base_url, "https://api.anthropic.com");
  CAF_CHECK_EQUAL(s.providers.at("l").base_url, "http://localhost:11434");
  CAF_CHECK_EQUAL(s.providers.at("g").base_url, "https://generativelanguage.googleapis.com");
  CAF_CHECK_EQUAL(s.providers.at("s").base_url, "");
}

CAF_TEST(auth defaults to bearer when a key is set and to none otherwise) {
  auto s = valid(R"(providers:
  keyed: {type: openai, base_url: "http://h:1", api_key: k}
  open: {type: openai, base_url: "http://h:1"}
  explicit: {type: openai, base_url: "http://h:1", api_key: k, auth_type: none}
)");
  CAF_CHECK_EQUAL(s.providers.at("keyed").auth, config::auth_type::bearer);
  CAF_CHECK_EQUAL(s.providers.at("open").auth, config::auth_type::none);
  CAF_CHECK_EQUAL(s.providers.at("explicit").auth, config::auth_type::none);
}

CAF_TEST(provider settings take their defaults when absent) {
  // A copy: a reference into the temporary settings would dangle (ASan: heap-use-after-free).
  const auto p = valid(base).providers.at("local");
  CAF_CHECK_EQUAL(p.max_connections, 16);
  CAF_CHECK_EQUAL(p.anthropic_version, "2023-06-01");
  CAF_CHECK(p.tls.verify);
  CAF_CHECK(p.tls.ca_file.empty());
  CAF_CHECK(p.headers.empty());
  CAF_CHECK_EQUAL(p.mock.mode, "echo");
}

CAF_TEST(provider timeouts start from the global ones) {
  auto s = valid(R"(timeouts:
  connect: 3s
  idle: 20s
providers:
  a: {type: ollama, timeouts: {idle: 5s}}
  b: {type: ollama}
)");
  const auto& a = s.providers.at("a").timeout;
  CAF_CHECK_EQUAL(a.connect, 3s);
  CAF_CHECK_EQUAL(a.idle, 5s);
  CAF_CHECK_EQUAL(a.total, 600s);
  CAF_CHECK_EQUAL(s.providers.at("b").timeout.idle, 20s);
}

CAF_TEST(a pool only role uses its first member as its model) {
  auto s = valid(base + "roles:\n  polecat:\n    pool: [slow, fast]\n");
  CAF_CHECK_EQUAL(s.roles.at("polecat").model, "slow");
  CAF_CHECK_EQUAL(s.roles.at("polecat").pool[1].max_concurrency, 1);
}

CAF_TEST(an unconfigured role falls back to the defaults section) {
  auto s = valid(base + "defaults:\n  model: fast\n  fallbacks: slow\n");
  auto r = s.role_or_default("witness");
  CAF_CHECK_EQUAL(r.name, "witness");
  CAF_CHECK_EQUAL(r.model, "fast");
  CAF_REQUIRE_EQUAL(r.fallbacks.size(), 1u);
  CAF_CHECK_EQUAL(r.fallbacks[0], "slow");
}

// -- environment references ---------------------------------------------------------
