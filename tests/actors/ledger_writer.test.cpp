#define CAF_SUITE actors.ledger_writer
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <stdexcept>

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/ledger.hpp"

// The ledger on the scheduler and its store behind a writer actor: what the
// split must not change (budgets hold while the store decides, nothing is left
// held or unwritten when the ledger stops).

using namespace et;
using namespace et::actors;
using namespace et::test;

namespace {

// 1000 prompt + 1000 completion tokens of "priced": worst case $0.012.
const char* yaml = R"(
providers:
  sim: {type: mock, mock: {mode: fixed, text: "ok"}}
models:
  priced: {provider: sim, model: priced-model, price: {input: 2, output: 10}}
)";

// A store whose batched writes fail (a file locked too long), or whose reserve throws (a bug,
// memory running out), over another store.
struct failing_writes : store::ledger_store {
  explicit failing_writes(std::shared_ptr<store::ledger_store> s) : inner{std::move(s)} {}
  std::shared_ptr<store::ledger_store> inner;
  int failed = 0;
  bool throw_on_reserve = false;
  result<void> append(const store::stored_call& c) override { return inner->append(c); }
  result<std::vector<store::stored_call>> since(int64_t ms) const override {
    return inner->since(ms);
  }
  result<double> spent_since(int64_t ms) const override { return inner->spent_since(ms); }
  result<std::map<std::string, double>> run_spend(const std::string& run,
                                                  int64_t since) const override {
    return inner->run_spend(run, since);
  }
  result<store::reservation_grant> reserve(const store::reservation_ask& ask) override {
    if (throw_on_reserve)
      throw std::runtime_error{"store broken"};
    return inner->reserve(ask);
  }
  result<void> settle(int64_t id, const store::stored_call* c) override {
    return inner->settle(id, c);
  }
  result<void> write_all(const std::vector<store::ledger_write>&) override {
    ++failed;
    return make_failure(errc::timeout, "ledger file locked");
  }
};

struct fixture : test_coordinator_fixture<test_config> {
  std::shared_ptr<store::ledger_store> store = store::make_memory_ledger();
  ledger_actor ledger;
  static constexpr int64_t day = 20'000 * 86'400'000LL;

  void start(double per_run, double per_day) {
    auto settings = load_settings(yaml, "ledger-writer-test.yaml");
    if (per_run > 0)
      settings->budgets.per_run = per_run;
    settings->budgets.per_day = per_day;
    ledger_setup setup{settings, cost::price_book{}, store, "run-1", false, {}};
    setup.now_ms = [] { return day + 1000; };
    ledger = spawn_ledger(sys, std::move(setup));
    sched.run();
  }

  ~fixture() { caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown); }

  // A finished call of "priced": 1000 prompt tokens, during the budget day.
  static cost::call_record priced_call() {
    cost::call_record call;
    call.role = "polecat";
    call.alias = "priced";
    call.provider = "sim";
    call.model = "priced-model";
    call.tokens.prompt_tokens = 1000;
    call.outcome = "ok";
    call.unix_ms = day + 2000;
    return call;
  }

  static cost::budget_query query() {
    return cost::budget_query{"polecat", "priced", "sim", "priced-model", 1000, 1000};
  }

  // What the store holds for live processes today, seen by a reservation of nothing.
  double held_in_store() {
    auto grant = store->reserve({0.0, 100.0, day});
    CAF_REQUIRE(grant.has_value());
    (void)store->settle(grant->id, nullptr);
    return grant->reserved;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(ledger_writer_tests, fixture)

CAF_TEST(checks that arrive while the store decides count each other) {
  start(0.03, 10.0); // two worst cases of $0.012 fit in the run budget, three do not
  std::vector<decltype(self->request(ledger, caf::infinite, budget_atom::value, query()))> asks;
  for (int i = 0; i < 3; ++i) // all three reach the ledger before the store answers one
    asks.push_back(self->request(ledger, caf::infinite, budget_atom::value, query()));
  sched.run();
  int granted = 0;
  int refused = 0;
  for (auto& rh : asks)
    rh.receive([&](uint64_t id) { granted += id != 0 ? 1 : 0; },
               [&](caf::error& e) {
                 ++refused;
                 CAF_CHECK(from_caf(e).message.find("per_run") != std::string::npos);
               });
  CAF_CHECK_EQUAL(granted, 2);
  CAF_CHECK_EQUAL(refused, 1);
}

CAF_TEST(a ledger stopped while the store reserves leaves nothing held) {
  start(0, 10.0);
  self->send(ledger, budget_atom::value, query()); // its answer is not awaited
  sched.run_once();                                // the ledger asks its writer
  caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  sched.run(); // the writer reserves, the ledger is gone, the writer closes
  CAF_CHECK_EQUAL(held_in_store(), 0.0);
}

CAF_TEST(a ledger stopped before its next transaction writes what waits) {
  start(0, 10.0);
  auto granted = self->request(ledger, caf::infinite, budget_atom::value, query());
  sched.run();
  uint64_t id = 0;
  granted.receive([&](uint64_t r) { id = r; }, [](caf::error& e) { CAF_FAIL(to_string(e)); });
  CAF_REQUIRE_NOT_EQUAL(id, 0u);
  auto call = priced_call();
  self->send(ledger, record_atom::value, id, call); // its write is queued behind the exit
  caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_CHECK_EQUAL(store->since(0)->size(), 1u);
  CAF_CHECK_EQUAL(held_in_store(), 0.0); // settled by the record, not twice
}

CAF_TEST(a check the store has not answered when the ledger stops is refused) {
  start(0, 10.0);
  auto rh = self->request(ledger, caf::infinite, budget_atom::value, query());
  sched.run_once(); // the ledger asks its writer
  caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_REQUIRE(!self->mailbox().empty()); // an answer, not a requester left waiting
  rh.receive([](uint64_t) { CAF_FAIL("expected a refusal"); },
             [](caf::error& e) {
               CAF_CHECK_EQUAL(from_caf(e).code, errc::budget_exceeded);
               CAF_CHECK(from_caf(e).message.find("ledger stopped") != std::string::npos);
             });
}

CAF_TEST(rows of a failed write are still released when the ledger stops) {
  auto failing = std::make_shared<failing_writes>(store);
  store = failing;
  start(0, 10.0);
  auto rh = self->request(ledger, caf::infinite, budget_atom::value, query());
  sched.run();
  uint64_t id = 0;
  rh.receive([&](uint64_t r) { id = r; }, [](caf::error& e) { CAF_FAIL(to_string(e)); });
  self->send(ledger, cancel_atom::value, id); // its release is in the write that fails
  sched.run();
  CAF_CHECK_EQUAL(failing->failed, 1);
  CAF_CHECK_GREATER(held_in_store(), 0.0);
  caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_CHECK_EQUAL(held_in_store(), 0.0);
}

CAF_TEST(after its store writer fails the ledger refuses day budgets and keeps counting) {
  auto failing = std::make_shared<failing_writes>(store);
  failing->throw_on_reserve = true;
  store = failing;
  start(0, 10.0);
  auto refused = [&](const char* what) {
    auto rh = self->request(ledger, caf::infinite, budget_atom::value, query());
    sched.run();
    CAF_REQUIRE(!self->mailbox().empty());
    rh.receive([](uint64_t) { CAF_FAIL("expected a refusal"); },
               [&](caf::error& e) {
                 CAF_CHECK_EQUAL(from_caf(e).code, errc::budget_exceeded);
                 CAF_MESSAGE("refused: " << from_caf(e).message);
                 CAF_CHECK(from_caf(e).message.find(what) != std::string::npos);
               });
  };
  refused("per_day budget cannot be checked"); // the writer dies on this one
  refused("per_day budget cannot be checked: the ledger's store stopped"); // refused at once
  auto call = priced_call();
  self->send(ledger, record_atom::value, call);
  auto rh = self->request(ledger, caf::infinite, summary_atom::value);
  sched.run();
  rh.receive([](cost::cost_report& r) { CAF_CHECK_EQUAL(r.requests, 1); },
             [](caf::error& e) { CAF_FAIL(to_string(e)); });
}

CAF_TEST_FIXTURE_SCOPE_END()
