#define CAF_SUITE libet.config.loader_values
#include "loader_support.hpp"

// Values once the YAML is read: numeric ranges, durations and the defaults a
// section takes when keys are absent (files, YAML and keys: loader.test.cpp).

using namespace et;
using namespace loader_test;
using namespace std::chrono_literals;

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

CAF_TEST(a model says how it takes thinking and only anthropic models take it) {
  auto model = [](const std::string& type, const std::string& thinking) {
    return "providers:\n  p: {type: " + type
           + ", api_key: k}\nmodels:\n  m: {provider: p, "
             "model: x, thinking: "
           + thinking + "}\n";
  };
  CAF_CHECK(valid(model("anthropic", "adaptive")).models.at("m").thinking
            == thinking_style::adaptive);
  CAF_CHECK(valid(model("anthropic", "budget")).models.at("m").thinking == thinking_style::budget);
  CAF_CHECK_EQUAL(error_at(model("anthropic", "deep"), "models.m.thinking"),
                  "unknown thinking \"deep\" (adaptive or budget: how the model takes it)");
  CAF_CHECK_EQUAL(error_at(model("openai", "adaptive"), "models.m.thinking"),
                  "thinking is passed on to anthropic providers only (provider p is openai)");
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
