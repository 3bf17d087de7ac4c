#define CAF_SUITE libet.store.key_writer
#include "caf/test/unit_test.hpp"

#include <future>
#include <sys/wait.h>
#include <unistd.h>

#include "et/store/key_writer.hpp"
#include "key_store_test.hpp"
#include "temp_dir.hpp"

// The key store's one writer: admissions many to a transaction, records gathered and
// written together; what lands, what other connections see and when, and what a crash
// loses (key_writer.hpp).

using namespace et;
using namespace std::chrono_literals;

namespace {

constexpr int64_t t0 = 1'700'000'000'000;

struct fixture : test::scratch_dir {
  fixture() : scratch_dir("key-writer") {}
  std::filesystem::path file = dir / "state" / "ledger.sqlite";

  std::unique_ptr<store::key_store> open_store() {
    auto s = store::key_store::open(file);
    CAF_REQUIRE(s);
    return std::move(*s);
  }
  // Records wait for flush(), 1000 of them or the writer's end: never for the clock.
  std::unique_ptr<store::key_writer> writer() {
    store::key_writer_options o;
    o.flush_every = 1h;
    o.flush_records = 1000;
    return std::make_unique<store::key_writer>(open_store(), o);
  }
};

// An answered request of `key` for `usd` (key_store_test.hpp's, at t0).
store::key_request answer(const std::string& key, double usd) {
  return test::keys::answer(key, usd, t0);
}

// Admits `uses` all at once (so that they share transactions) and waits for every answer.
std::vector<result<store::key_admission>> admit_all(store::key_writer& w,
                                                    const std::vector<store::key_use>& uses) {
  std::vector<std::promise<result<store::key_admission>>> answers(uses.size());
  for (size_t i = 0; i < uses.size(); ++i)
    w.admit(uses[i],
            [&answers, i](result<store::key_admission> a) { answers[i].set_value(std::move(a)); });
  std::vector<result<store::key_admission>> out;
  for (auto& p : answers)
    out.push_back(p.get_future().get());
  return out;
}

size_t admitted(const std::vector<result<store::key_admission>>& answers) {
  size_t n = 0;
  for (const auto& a : answers)
    n += a && a->id != 0;
  return n;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(key_writer_tests, fixture)

CAF_TEST(admissions in one batch see each other and other connections see them at once) {
  auto other = open_store();
  store::key_limits l;
  l.budget_total = 1.0;
  CAF_REQUIRE(other->create("k", l, t0));
  auto w = writer();
  // Five of 0.3 against $1: three fit, whichever transactions they share.
  auto answers = admit_all(*w, std::vector<store::key_use>(5, store::key_use{"k", 0.3, 10, t0}));
  CAF_CHECK_EQUAL(admitted(answers), 3u);
  for (const auto& a : answers)
    if (a && a->id == 0)
      CAF_CHECK(a->why == store::key_refusal::budget_total);
  // Answered means committed: another process is refused now.
  auto more = other->admit({"k", 0.2, 10, t0});
  CAF_REQUIRE(more);
  CAF_CHECK_EQUAL(more->id, 0);
  // A revoked key is refused at admission, whatever any cache says.
  CAF_REQUIRE(other->revoke("k"));
  auto revoked = admit_all(*w, {store::key_use{"k", 0.0, 10, t0}});
  CAF_REQUIRE(!revoked[0]);
  CAF_CHECK_EQUAL(revoked[0].error().code, errc::auth);
}

CAF_TEST(flush waits for every admission answered and its answer let go of) {
  auto other = open_store();
  CAF_REQUIRE(other->create("k", store::key_limits{}, t0));
  auto w = writer();
  // What an answer holds (the gateway's state, in et serve): after flush() the caller holds
  // the last of it, so letting go of it never stops the writer from its own thread.
  auto held = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < 200; ++i)
    w->admit(store::key_use{"k", 0.0, 10, t0},
             [held](result<store::key_admission> a) { *held += a && a->id != 0; });
  w->flush();
  CAF_CHECK_EQUAL(held->load(), 200);
  CAF_CHECK_EQUAL(held.use_count(), 1);
}

CAF_TEST(gathered records all land with exact totals on flush and at the end) {
  auto other = open_store();
  store::key_limits l;
  l.budget_total = 100.0;
  CAF_REQUIRE(other->create("k", l, t0));
  {
    auto w = writer();
    auto answers = admit_all(*w, std::vector<store::key_use>(40, store::key_use{"k", 2, 10, t0}));
    CAF_REQUIRE_EQUAL(admitted(answers), 40u);
    for (size_t i = 0; i < 20; ++i)
      w->settle(answers[i]->id, answer("k", 0.25));
    // Gathered, not written: other connections still count the reservations.
    CAF_CHECK_EQUAL(other->requests_since(0)->size(), 0u);
    auto over = other->admit({"k", 20.01, 10, t0}); // 80 reserved of 100
    CAF_REQUIRE(over);
    CAF_CHECK_EQUAL(over->id, 0);
    w->flush();
    CAF_CHECK_EQUAL(other->requests_since(0)->size(), 20u);
    for (size_t i = 20; i < 40; ++i)
      w->settle(answers[i]->id, answer("k", 0.25));
    w->settle(0, answer("k", 0)); // a refusal's record
  }                               // the writer's end writes the rest
  auto rows = other->requests_since(0);
  CAF_REQUIRE(rows);
  CAF_CHECK_EQUAL(rows->size(), 41u);
  auto listed = other->list(t0);
  CAF_REQUIRE(listed && listed->size() == 1);
  CAF_CHECK_EQUAL((*listed)[0].spent_total, 10.0); // 40 x 0.25, exact in binary
  CAF_CHECK_EQUAL((*listed)[0].requests, 41);
  // Every reservation was released: exactly the $90 left fits, a cent more does not.
  auto past = other->admit({"k", 90.01, 10, t0});
  CAF_REQUIRE(past);
  CAF_CHECK_EQUAL(past->id, 0);
  auto fits = other->admit({"k", 90.0, 10, t0});
  CAF_REQUIRE(fits);
  CAF_CHECK_NOT_EQUAL(fits->id, 0);
}

CAF_TEST(refusals past the records held are dropped and settlements never) {
  // While records cannot be written, a client refused in a loop must not fill memory; what
  // releases a reservation is kept whatever waits.
  auto other = open_store();
  store::key_limits l;
  l.budget_total = 100.0;
  CAF_REQUIRE(other->create("k", l, t0));
  store::key_writer_options o;
  o.flush_every = 1h;
  o.flush_records = 1000;
  o.max_held_records = 3;
  store::key_writer w{open_store(), o};
  auto answers = admit_all(w, {store::key_use{"k", 2, 10, t0}, store::key_use{"k", 2, 10, t0}});
  CAF_REQUIRE_EQUAL(admitted(answers), 2u);
  for (int i = 0; i < 10; ++i)
    w.settle(0, answer("k", 0)); // three are held
  w.settle(answers[0]->id, answer("k", 0.5));
  w.settle(answers[1]->id, answer("k", 0.5)); // past the bound, and kept
  w.flush();
  auto rows = other->requests_since(0);
  CAF_REQUIRE(rows);
  CAF_CHECK_EQUAL(rows->size(), 5u);
  auto listed = other->list(t0);
  CAF_REQUIRE(listed && listed->size() == 1);
  CAF_CHECK_EQUAL((*listed)[0].spent_total, 1.0);
}

CAF_TEST(a crash loses only the records still gathered and frees their reservations) {
  {
    auto s = open_store();
    store::key_limits l;
    l.budget_total = 1.0;
    CAF_REQUIRE(s->create("k", l, t0));
  }
  auto pid = ::fork();
  CAF_REQUIRE(pid >= 0);
  if (pid == 0) {
    // A gateway process: three admitted, two records written, one gathered; then it dies
    // without its destructors (as kill -9 would).
    auto w = writer();
    auto answers = admit_all(*w, std::vector<store::key_use>(3, store::key_use{"k", 0.3, 10, t0}));
    if (admitted(answers) != 3)
      ::_exit(2);
    w->settle(answers[0]->id, answer("k", 0.1));
    w->settle(answers[1]->id, answer("k", 0.1));
    w->flush();
    w->settle(answers[2]->id, answer("k", 0.1));
    ::_exit(0);
  }
  int status = 0;
  CAF_REQUIRE_EQUAL(::waitpid(pid, &status, 0), pid);
  CAF_REQUIRE(WIFEXITED(status));
  CAF_REQUIRE_EQUAL(WEXITSTATUS(status), 0);
  auto s = open_store();
  auto rows = s->requests_since(0);
  CAF_REQUIRE(rows);
  CAF_CHECK_EQUAL(rows->size(), 2u); // the gathered one is lost
  // Spent 0.2; the lost request's 0.3 reservation went with its process: 0.8 fits.
  auto a = s->admit({"k", 0.8, 10, t0});
  CAF_REQUIRE(a);
  CAF_CHECK_NOT_EQUAL(a->id, 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
