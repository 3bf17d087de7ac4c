#define CAF_SUITE actors.ledger_budgets
#define FAIL(msg) CAF_FAIL(msg)
#include "ledger_test.hpp"

// The ledger's budgets: per_run and per_role (this process's spend, a resumed run's earlier
// spend and the reservations in flight) and per_day (every process sharing the store).

using namespace ledger_test;

CAF_TEST_FIXTURE_SCOPE(ledger_budget_tests, fixture)

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
  setup.earlier_spend = *store->run_spend("run-1", 0);
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
