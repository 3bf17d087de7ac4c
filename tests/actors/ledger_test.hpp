#pragma once
/// The ledger suites' fixture: a configuration with a priced and an unknown model, a ledger
/// over an in-memory store on a clock the test sets, reservations asked as the router asks
/// them, and a router over the mock provider that reports to the ledger.

#include "caf/test/dsl.hpp"

#include <cmath>

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/ledger.hpp"
#include "et/actors/mock_provider.hpp"
#include "et/actors/router.hpp"

namespace ledger_test {

using namespace et;
using namespace et::actors;
using namespace et::test;

// Prices are per million tokens: 1000 prompt + 2000 completion tokens of
// "priced" cost 1000 * 2 / 1e6 + 2000 * 10 / 1e6 = $0.022.
inline const char* const yaml = R"(
providers:
  sim:
    type: mock
    mock: {mode: fixed, text: "ok"}
  remote: {type: openai, base_url: "http://127.0.0.1:9/v1"}
models:
  priced: {provider: sim, model: priced-model, price: {input: 2, output: 10}}
  unknown: {provider: remote, model: mystery-model}
roles:
  polecat: {model: priced}
)";

struct fixture : test_coordinator_fixture<test_config> {
  std::shared_ptr<config::settings> settings;
  std::shared_ptr<store::ledger_store> store = store::make_memory_ledger();
  ledger_actor ledger;

  int64_t clock_ms = 20'000 * 86'400'000LL + 1000; // 00:00:01 UTC of some day

  /// `pool`: the ledger of a pool run, whose checks wait for the holds of calls in flight.
  void start(const std::function<void(config::settings&)>& adjust = {}, bool pool = false) {
    settings = load_settings(yaml, "ledger-test.yaml");
    if (adjust)
      adjust(*settings);
    ledger = another_ledger(pool);
  }

  // A ledger on the same store: another process sharing the ledger file.
  ledger_actor another_ledger(bool pool = false) {
    ledger_setup setup{settings, cost::price_book{}, store, "run-1", false, {}};
    setup.wait_for_holds = pool;
    setup.now_ms = [this] { return clock_ms; };
    auto l = spawn_ledger(sys, std::move(setup));
    sched.run();
    return l;
  }

  // Asks `l` for a reservation of the worst case of 1000 prompt + 1000 completion tokens of
  // "priced" ($0.012); 0 when refused.
  uint64_t reserve(const ledger_actor& l, const std::string& role = "polecat") {
    cost::budget_query q{role, "priced", "sim", "priced-model", 1000, 1000};
    auto rh = self->request(l, caf::infinite, budget_atom::value, q);
    sched.run();
    uint64_t out = 0;
    rh.receive([&](uint64_t id) { out = id; },
               [&](caf::error& e) {
                 CAF_CHECK_EQUAL(from_caf(e).code, errc::budget_exceeded);
                 last_refusal = from_caf(e).message;
               });
    return out;
  }

  std::string last_refusal;

  ~fixture() { caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown); }

  static cost::call_record call(std::string alias, std::string model, int64_t prompt,
                                int64_t completion, std::string role = "polecat") {
    cost::call_record c;
    c.role = std::move(role);
    c.alias = std::move(alias);
    c.provider = c.alias == "unknown" ? "remote" : "sim";
    c.model = std::move(model);
    c.tokens.prompt_tokens = prompt;
    c.tokens.completion_tokens = completion;
    c.outcome = "ok";
    return c;
  }

  // A router over the mock provider that reports to our ledger.
  router_actor router_over_mock() {
    auto engine = std::make_shared<provider::mock_engine>(settings->providers["sim"].mock);
    auto router = spawn_router(
        sys, settings,
        [engine](caf::local_actor* parent, const config::provider&) -> provider_actor {
          return spawn_mock_provider(parent, engine, {});
        },
        ledger);
    sched.run();
    return router;
  }

  static role_request ask(std::string text) {
    role_request req;
    req.id = 1;
    req.role = "polecat";
    req.request.messages.push_back(message{role::user, std::move(text), {}, {}, {}});
    return req;
  }

  cost::cost_report report() {
    auto rh = self->request(ledger, caf::infinite, summary_atom::value);
    sched.run();
    cost::cost_report out;
    rh.receive([&](cost::cost_report& r) { out = std::move(r); },
               [&](caf::error& e) { CAF_FAIL("summary: " << to_string(e)); });
    return out;
  }
};

// A store that counts how it is written to (over the memory store).

/// Dollars equal up to binary rounding.
inline bool near(double a, double b) {
  return std::fabs(a - b) < 1e-12;
}

} // namespace ledger_test
