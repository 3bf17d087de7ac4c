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

CAF_TEST(a check that only holds for calls in flight keep from fitting waits for them) {
  start([](config::settings& s) { s.budgets.per_run = 0.03; }, true);
  auto first = reserve(ledger);
  auto second = reserve(ledger);
  CAF_CHECK_NOT_EQUAL(first, 0u);
  CAF_CHECK_NOT_EQUAL(second, 0u);
  // 0.012 + 0.012 held, + 0.012 > 0.03; but nothing is spent yet: it waits, unanswered.
  cost::budget_query q{"polecat", "priced", "sim", "priced-model", 1000, 1000};
  auto third = self->request(ledger, caf::infinite, budget_atom::value, q);
  sched.run();
  CAF_CHECK(self->mailbox().empty());
  // the first attempt was never sent: its reservation comes back, and the third goes
  self->send(ledger, cancel_atom::value, first);
  sched.run();
  CAF_REQUIRE(!self->mailbox().empty());
  uint64_t third_id = 0;
  third.receive([&](uint64_t id) { third_id = id; },
                [&](caf::error& e) { CAF_FAIL("refused: " << to_string(e)); });
  CAF_CHECK_NOT_EQUAL(third_id, 0u);
  // the second cost 0.002 (1000 prompt tokens, no completion): its record settles it
  self->send(ledger, record_atom::value, second, call("priced", "priced-model", 1000, 0));
  sched.run();
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u); // 0.002 + 0.012 + 0.012 = 0.026
  CAF_CHECK_EQUAL(store->since(0)->size(), 1u);
}

CAF_TEST(a check that would not fit even once the calls in flight settle is refused at once) {
  start([](config::settings& s) { s.budgets.per_run = 0.021; }, true);
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u);                                        // 0.012 held
  self->send(ledger, record_atom::value, call("priced", "priced-model", 5000, 0)); // $0.01
  sched.run();
  CAF_CHECK_EQUAL(reserve(ledger), 0u); // 0.01 + 0.012 > 0.021 with the hold or without
  CAF_CHECK_EQUAL(last_refusal, "per_run budget $0.021 would be exceeded: spent $0.01 + held "
                                "for calls in flight $0.012 + next ~$0.012");
}

CAF_TEST(checks that wait go in the order they came and a later one does not pass) {
  start([](config::settings& s) { s.budgets.per_run = 0.03; }, true);
  auto first = reserve(ledger);
  auto second = reserve(ledger);                                                  // 0.024 held
  cost::budget_query big{"polecat", "priced", "sim", "priced-model", 1000, 1000}; // 0.012
  cost::budget_query small{"polecat", "priced", "sim", "priced-model", 1000, 0};  // 0.002
  auto older = self->request(ledger, caf::infinite, budget_atom::value, big);
  sched.run();
  // 0.024 + 0.002 would fit, but an older check waits: the newer one waits behind it.
  auto newer = self->request(ledger, caf::infinite, budget_atom::value, small);
  sched.run();
  CAF_CHECK(self->mailbox().empty());
  self->send(ledger, record_atom::value, first, call("priced", "priced-model", 1000, 0)); // 0.002
  sched.run();
  // 0.002 spent + 0.012 held: the older (0.012) is reserved first, then the newer (0.002).
  uint64_t older_id = 0;
  uint64_t newer_id = 0;
  older.receive([&](uint64_t id) { older_id = id; },
                [&](caf::error& e) { CAF_FAIL("older refused: " << to_string(e)); });
  newer.receive([&](uint64_t id) { newer_id = id; },
                [&](caf::error& e) { CAF_FAIL("newer refused: " << to_string(e)); });
  CAF_CHECK_NOT_EQUAL(older_id, 0u);
  CAF_CHECK_GREATER(newer_id, older_id); // ids count up as reservations are made
  CAF_CHECK_NOT_EQUAL(second, 0u);
}

CAF_TEST(without the pool s waiting a check held back by calls in flight is refused) {
  start([](config::settings& s) { s.budgets.per_run = 0.03; });
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u);
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u);
  CAF_CHECK_EQUAL(reserve(ledger), 0u); // a gateway's client gets its 429 at once
  CAF_CHECK(last_refusal.find("held for calls in flight $0.024") != std::string::npos);
}

CAF_TEST(checks waiting for calls in flight are refused when the ledger stops) {
  start([](config::settings& s) { s.budgets.per_run = 0.02; }, true);
  CAF_CHECK_NOT_EQUAL(reserve(ledger), 0u);
  cost::budget_query q{"polecat", "priced", "sim", "priced-model", 1000, 1000};
  auto waiting = self->request(ledger, caf::infinite, budget_atom::value, q);
  sched.run();
  CAF_CHECK(self->mailbox().empty());
  caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_REQUIRE(!self->mailbox().empty());
  waiting.receive([&](uint64_t) { CAF_FAIL("a reservation from a stopped ledger"); },
                  [&](caf::error& e) { CAF_CHECK_EQUAL(from_caf(e).code, errc::budget_exceeded); });
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
