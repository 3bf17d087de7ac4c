#define CAF_SUITE actors.ledger
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <cmath>

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/ledger.hpp"
#include "et/actors/mock_provider.hpp"
#include "et/actors/router.hpp"

using namespace et;
using namespace et::actors;
using namespace et::test;

namespace {

// Prices are per million tokens: 1000 prompt + 2000 completion tokens of
// "priced" cost 1000 * 2 / 1e6 + 2000 * 10 / 1e6 = $0.022.
const char* yaml = R"(
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

  void start(const std::function<void(config::settings&)>& adjust = {}) {
    settings = load_settings(yaml, "ledger-test.yaml");
    if (adjust)
      adjust(*settings);
    ledger = another_ledger();
  }

  // A ledger on the same store: another process sharing the ledger file.
  ledger_actor another_ledger() {
    ledger_setup setup{settings, cost::price_book{}, store, "run-1", false, {}};
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
struct counting_store : store::ledger_store {
  std::unique_ptr<store::ledger_store> inner = store::make_memory_ledger();
  std::vector<size_t> batches; ///< the size of each write_all
  int single_writes = 0;       ///< append and settle calls

  result<void> append(const store::stored_call& c) override {
    ++single_writes;
    return inner->append(c);
  }
  result<std::vector<store::stored_call>> since(int64_t ms) const override {
    return inner->since(ms);
  }
  result<double> spent_since(int64_t ms) const override { return inner->spent_since(ms); }
  result<std::map<std::string, double>> run_spend(const std::string& run) const override {
    return inner->run_spend(run);
  }
  result<store::reservation_grant> reserve(const store::reservation_ask& ask) override {
    return inner->reserve(ask);
  }
  result<void> settle(int64_t id, const store::stored_call* c) override {
    ++single_writes;
    return inner->settle(id, c);
  }
  result<void> write_all(const std::vector<store::ledger_write>& writes) override {
    batches.push_back(writes.size());
    return inner->write_all(writes);
  }
};

bool near(double a, double b) {
  return std::fabs(a - b) < 1e-12;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(ledger_tests, fixture)

CAF_TEST(a recorded call is priced to the token from the alias price) {
  start();
  self->send(ledger, record_atom::value, call("priced", "priced-model", 1000, 2000));
  auto r = report();
  CAF_CHECK(near(r.usd, 0.022));
  CAF_CHECK_EQUAL(r.requests, 1);
  CAF_CHECK_EQUAL(r.prompt_tokens, 1000);
  CAF_CHECK_EQUAL(r.completion_tokens, 2000);
  CAF_CHECK_EQUAL(r.unpriced_requests, 0);
  CAF_CHECK(r.table.find("polecat") != std::string::npos);
}

CAF_TEST(an unknown remote model is counted as unpriced and not as free) {
  start();
  self->send(ledger, record_atom::value, call("unknown", "mystery-model", 10, 10));
  auto r = report();
  CAF_CHECK_EQUAL(r.unpriced_requests, 1);
  CAF_CHECK(near(r.usd, 0));
  CAF_CHECK(r.table.find("unpriced") != std::string::npos);
}

CAF_TEST(a failed call that used no tokens costs nothing even without a price) {
  start();
  auto failed = call("unknown", "mystery-model", 0, 0);
  failed.ok = false;
  self->send(ledger, record_atom::value, failed);
  auto r = report();
  CAF_CHECK_EQUAL(r.unpriced_requests, 0);
  CAF_CHECK_EQUAL(r.failures, 1);
  CAF_CHECK(r.table.find("unpriced") == std::string::npos);
}

CAF_TEST(an answer without usage from an unknown model stays unpriced) {
  start();
  self->send(ledger, record_atom::value, call("unknown", "mystery-model", 0, 0));
  CAF_CHECK_EQUAL(report().unpriced_requests, 1);
}

CAF_TEST(every recorded call is persisted with its run id and price) {
  start();
  self->send(ledger, record_atom::value, call("priced", "priced-model", 1000, 2000));
  self->send(ledger, record_atom::value, call("unknown", "mystery-model", 1, 1));
  sched.run();
  auto stored = store->since(0);
  CAF_REQUIRE(stored);
  CAF_REQUIRE_EQUAL(stored->size(), 2u);
  CAF_CHECK_EQUAL((*stored)[0].run_id, "run-1");
  CAF_REQUIRE((*stored)[0].call.usd);
  CAF_CHECK(near(*(*stored)[0].call.usd, 0.022));
  CAF_CHECK(!(*stored)[1].call.usd);
}

CAF_TEST(records waiting together are written in one transaction at most every 10 ms) {
  auto counting = std::make_shared<counting_store>();
  store = counting;
  start();
  for (int i = 0; i < 3; ++i)
    self->send(ledger, record_atom::value, call("priced", "priced-model", 1000, 2000));
  sched.run();
  CAF_CHECK_EQUAL(counting->batches, std::vector<size_t>{3});
  CAF_CHECK_EQUAL(counting->single_writes, 0);
  CAF_CHECK_EQUAL(store->since(0)->size(), 3u);
  // Within 10 ms of that transaction the next records wait for the rest of the gap, together.
  self->send(ledger, record_atom::value, call("priced", "priced-model", 1000, 2000));
  sched.run();
  self->send(ledger, record_atom::value, call("priced", "priced-model", 1000, 2000));
  sched.run();
  CAF_CHECK_EQUAL(counting->batches, std::vector<size_t>{3});
  advance_time(std::chrono::milliseconds{10});
  sched.run();
  CAF_CHECK_EQUAL(counting->batches, (std::vector<size_t>{3, 2}));
  CAF_CHECK_EQUAL(store->since(0)->size(), 5u);
  // Once the gap has passed, a record is written behind the mailbox again, at once.
  advance_time(std::chrono::milliseconds{10});
  self->send(ledger, record_atom::value, call("priced", "priced-model", 1000, 2000));
  sched.run();
  CAF_CHECK_EQUAL(counting->batches, (std::vector<size_t>{3, 2, 1}));
}

CAF_TEST(a budget check with nothing waiting does not hold back the next record) {
  auto counting = std::make_shared<counting_store>();
  store = counting;
  start([](config::settings& s) { s.budgets.per_day = 10.0; });
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u); // flushes what waits: nothing, no transaction
  self->send(ledger, record_atom::value, call("priced", "priced-model", 1000, 2000));
  sched.run(); // no time passes: written at once, not 10 ms later
  CAF_CHECK_EQUAL(counting->batches, std::vector<size_t>{1});
}

CAF_TEST(a day budget check counts the records still waiting to be written) {
  start([](config::settings& s) { s.budgets.per_day = 0.03; });
  auto spent = call("priced", "priced-model", 1000, 2000); // $0.022
  spent.unix_ms = clock_ms;
  // queued in front of the check: its write would otherwise come after it
  self->send(ledger, record_atom::value, spent);
  CAF_CHECK_EQUAL(reserve(ledger), 0u); // 0.022 spent + 0.012 > 0.03
  CAF_CHECK(last_refusal.find("spent today (UTC) $0.022") != std::string::npos);
}

CAF_TEST(a request that would cross the run budget is refused) {
  start([](config::settings& s) { s.budgets.per_run = 0.03; });
  self->send(ledger, record_atom::value, call("priced", "priced-model", 1000, 2000));
  // worst case of the next: 1000 * 2 / 1e6 + 1000 * 10 / 1e6 = $0.012 -> $0.034 > $0.03
  cost::budget_query q{"polecat", "priced", "sim", "priced-model", 1000, 1000};
  auto rh = self->request(ledger, caf::infinite, budget_atom::value, q);
  sched.run();
  rh.receive([](uint64_t) { CAF_FAIL("expected a refusal"); },
             [](caf::error& e) {
               auto f = from_caf(e);
               CAF_CHECK_EQUAL(f.code, errc::budget_exceeded);
               CAF_CHECK(f.message.find("per_run") != std::string::npos);
             });
  cost::budget_query small{"polecat", "priced", "sim", "priced-model", 100, 100};
  auto ok = self->request(ledger, caf::infinite, budget_atom::value, small);
  sched.run();
  ok.receive([](uint64_t reservation) { CAF_CHECK_NOT_EQUAL(reservation, 0u); },
             [](caf::error& e) { CAF_FAIL("unexpected " << to_string(e)); });
}

CAF_TEST(an estimate of a failed call counts against the run budget but not in the totals) {
  start([](config::settings& s) { s.budgets.per_run = 0.03; });
  auto timed_out = call("priced", "priced-model", 1000, 2000); // the router's estimate
  timed_out.ok = false;
  timed_out.outcome = "timeout";
  self->send(ledger, record_atom::value, timed_out);
  cost::budget_query q{"polecat", "priced", "sim", "priced-model", 1000, 1000};
  auto rh = self->request(ledger, caf::infinite, budget_atom::value, q);
  sched.run();
  rh.receive([](uint64_t) { CAF_FAIL("expected a refusal: $0.022 estimated + $0.012 > $0.03"); },
             [](caf::error& e) { CAF_CHECK_EQUAL(from_caf(e).code, errc::budget_exceeded); });
  auto r = report();
  CAF_CHECK_EQUAL(r.usd, 0.0);
  CAF_CHECK_EQUAL(r.prompt_tokens, 0);
  CAF_CHECK(near(r.estimated_usd, 0.022));
  CAF_CHECK_EQUAL(r.estimated_requests, 1);
}

CAF_TEST(the router reports attempts and stops before crossing a budget) {
  start([](config::settings& s) {
    s.budgets.per_run = 0.0001;
    s.defaults.max_tokens = 1000;
  });
  auto router = router_over_mock();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("hi"));
  sched.run();
  rh.receive([](routed_response&) { CAF_FAIL("the budget should have refused it"); },
             [](caf::error& e) { CAF_CHECK_EQUAL(from_caf(e).code, errc::budget_exceeded); });
  CAF_CHECK_EQUAL(report().requests, 0); // nothing was sent, so nothing was billed
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
}

CAF_TEST(the router records a successful attempt in the ledger) {
  start();
  auto router = router_over_mock();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("hello there"));
  sched.run();
  rh.receive([](routed_response& r) { CAF_CHECK_EQUAL(r.response.content, "ok"); },
             [](caf::error& e) { CAF_FAIL("unexpected " << to_string(e)); });
  auto r = report();
  CAF_CHECK_EQUAL(r.requests, 1);
  CAF_CHECK_EQUAL(r.failures, 0);
  CAF_CHECK(r.usd > 0);
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
}

CAF_TEST(a resumed run counts what it spent before against its budgets) {
  start([](config::settings& s) {
    s.budgets.per_run = 0.04;
    s.budgets.per_role["polecat"] = 0.03;
  });
  self->send(ledger, record_atom::value, call("priced", "priced-model", 1000, 2000)); // $0.022
  self->send(ledger, record_atom::value, call("priced", "priced-model", 500, 0, "mayor"));
  sched.run();
  // The next process of the run starts from the store, as `et run --resume` does.
  ledger_setup setup{settings, cost::price_book{}, store, "run-1", false, {}};
  setup.earlier_spend = *store->run_spend("run-1");
  auto resumed = spawn_ledger(sys, std::move(setup));
  sched.run();
  CAF_CHECK_EQUAL(reserve(resumed), 0u); // polecat: $0.022 + $0.012 > $0.03
  CAF_CHECK(last_refusal.find("per_role") != std::string::npos);
  CAF_CHECK_NOT_EQUAL(reserve(resumed, "mayor"), 0u); // the run: $0.023 + $0.012 <= $0.04
  CAF_CHECK_EQUAL(reserve(resumed, "mayor"), 0u);     // + $0.012 more > $0.04
  CAF_CHECK(last_refusal.find("per_run") != std::string::npos);
  caf::anon_send_exit(resumed, caf::exit_reason::user_shutdown);
}

CAF_TEST(reservations in flight count against the run budget until settled or released) {
  start([](config::settings& s) { s.budgets.per_run = 0.03; });
  auto first = reserve(ledger);
  auto second = reserve(ledger);
  CAF_CHECK_NOT_EQUAL(first, 0u);
  CAF_CHECK_NOT_EQUAL(second, 0u);
  CAF_CHECK_EQUAL(reserve(ledger), 0u); // 0.012 + 0.012 held, + 0.012 > 0.03
  CAF_CHECK(last_refusal.find("per_run") != std::string::npos);
  // the first attempt was never sent: its reservation comes back
  self->send(ledger, cancel_atom::value, first);
  sched.run();
  auto third = reserve(ledger);
  CAF_CHECK_NOT_EQUAL(third, 0u);
  // the second cost 0.002 (1000 prompt tokens, no completion): its record settles it
  self->send(ledger, record_atom::value, second, call("priced", "priced-model", 1000, 0));
  sched.run();
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u); // 0.002 + 0.012 + 0.012 = 0.026
  CAF_CHECK_EQUAL(store->since(0)->size(), 1u);
}

CAF_TEST(two ledgers sharing a store cannot together pass the day budget) {
  start([](config::settings& s) { s.budgets.per_day = 0.03; });
  auto other = another_ledger();
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u);
  CAF_CHECK_NOT_EQUAL(reserve(other), 0u);
  CAF_CHECK_EQUAL(reserve(ledger), 0u);
  CAF_CHECK(last_refusal.find("per_day") != std::string::npos);
  CAF_CHECK(last_refusal.find("in flight $0.02") != std::string::npos);
  caf::anon_send_exit(other, caf::exit_reason::user_shutdown);
  sched.run();
  // a stopped ledger gives its reservations back
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u);
}

CAF_TEST(the day budget starts again at midnight UTC) {
  start([](config::settings& s) { s.budgets.per_day = 0.03; });
  clock_ms += 86'400'000 - 2000; // 23:59:59
  auto first = reserve(ledger);
  auto spent = call("priced", "priced-model", 1000, 2000); // $0.022
  spent.unix_ms = clock_ms;
  self->send(ledger, record_atom::value, first, spent);
  sched.run();
  CAF_CHECK_EQUAL(reserve(ledger), 0u); // 0.022 + 0.012 > 0.03
  clock_ms += 2000;                     // 00:00:01 the next day
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u);
}

CAF_TEST(a failed attempt through the router releases its reservation) {
  start([](config::settings& s) {
    s.budgets.per_run = 0.03;
    s.defaults.max_tokens = 1000;
    config::mock_fault fault;
    fault.error = errc::bad_request;
    fault.on_calls = {1};
    s.providers["sim"].mock.faults.push_back(fault);
  });
  auto router = router_over_mock();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("hi"));
  sched.run();
  rh.receive([](routed_response&) { CAF_FAIL("the fault should have failed it"); },
             [](caf::error& e) { CAF_CHECK_EQUAL(from_caf(e).code, errc::bad_request); });
  // nothing is held: two more worst cases of $0.012 fit in $0.03
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u);
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u);
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
