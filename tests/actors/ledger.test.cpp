#define CAF_SUITE actors.ledger
#define FAIL(msg) CAF_FAIL(msg)
#include "ledger_test.hpp"

using namespace ledger_test;

namespace {

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
  result<std::map<std::string, double>> run_spend(const std::string& run,
                                                  int64_t since) const override {
    return inner->run_spend(run, since);
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

CAF_TEST_FIXTURE_SCOPE_END()
