#define CAF_SUITE libet.store.durability
#include "caf/test/unit_test.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include "et/store/holder.hpp"
#include "et/store/journal.hpp"
#include "et/store/ledger_store.hpp"
#include "et/store/run_lock.hpp"
#include "temp_dir.hpp"

using namespace et;
namespace fs = std::filesystem;

namespace {

constexpr int64_t day_ms = 86'400'000;
constexpr int64_t noon = 20'000 * day_ms + day_ms / 2; // some day, 12:00 UTC

store::stored_call paid(double usd, int64_t unix_ms = noon) {
  store::stored_call c;
  c.run_id = "r";
  c.call.role = "polecat";
  c.call.provider = "p";
  c.call.model = "m";
  c.call.usd = usd;
  c.call.outcome = "ok";
  c.call.unix_ms = unix_ms;
  return c;
}

store::reservation_ask ask(double usd, double limit) {
  return {usd, limit, noon - day_ms / 2};
}

struct fixture : et::test::scratch_dir {
  fixture() : scratch_dir("durable") {}

  std::unique_ptr<store::ledger_store> open(std::string holder = {}) {
    auto s = store::open_sqlite_ledger(dir / "ledger.sqlite", std::move(holder));
    CAF_REQUIRE(s);
    return std::move(*s);
  }

  void write_journal(const std::string& id, const std::string& plan_line) {
    fs::create_directories(dir / "runs" / id);
    std::ofstream out{dir / "runs" / id / "journal.jsonl", std::ios::binary};
    out << R"({"event":"started","at":1,"id":")" << id << R"(","task":"t","max_subtasks":10})"
        << "\n"
        << plan_line << "\n";
  }

  failure read_failure(const std::string& id) {
    auto r = store::read_run(dir / "runs" / id);
    CAF_REQUIRE(!r);
    return r.error();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(durability_tests, fixture)

CAF_TEST(two connections to one ledger file cannot together pass the day limit) {
  auto a = open();
  auto b = open();
  auto first = a->reserve(ask(0.4, 1.0));
  CAF_REQUIRE(first && first->id != 0);
  auto second = b->reserve(ask(0.4, 1.0));
  CAF_REQUIRE(second && second->id != 0);
  // 0.4 + 0.4 held: a third 0.4 would make 1.2
  auto third = a->reserve(ask(0.4, 1.0));
  CAF_REQUIRE(third);
  CAF_CHECK_EQUAL(third->id, 0);
  CAF_CHECK_EQUAL(third->reserved, 0.8);
  // b's call cost 0.1 of its 0.4: settling frees the rest
  auto call = paid(0.1);
  CAF_REQUIRE(b->settle(second->id, &call));
  auto fourth = a->reserve(ask(0.4, 1.0));
  CAF_REQUIRE(fourth && fourth->id != 0);
  CAF_CHECK_EQUAL(fourth->spent, 0.1);
  CAF_CHECK_EQUAL(fourth->reserved, 0.4);
  // Bound to a local: CAF_CHECK_EQUAL keeps `auto&&` to its argument, and `*` of a
  // temporary's value dangles once that temporary dies (ASan: stack-use-after-scope).
  auto spent = a->spent_since(0);
  CAF_REQUIRE(spent);
  CAF_CHECK_EQUAL(*spent, 0.1);
}

CAF_TEST(a released reservation holds nothing and records nothing) {
  auto a = open();
  auto r = a->reserve(ask(0.9, 1.0));
  CAF_REQUIRE(r && r->id != 0);
  auto refused = a->reserve(ask(0.2, 1.0));
  CAF_REQUIRE(refused);
  CAF_CHECK_EQUAL(refused->id, 0);
  CAF_REQUIRE(a->settle(r->id, nullptr));
  auto again = a->reserve(ask(0.2, 1.0));
  CAF_REQUIRE(again);
  CAF_CHECK_NOT_EQUAL(again->id, 0);
  CAF_CHECK_EQUAL(again->reserved, 0.0);
  CAF_CHECK_EQUAL(a->since(0)->size(), 0u);
}

CAF_TEST(only spend of the current day counts) {
  auto a = open();
  auto yesterday = paid(0.9, noon - day_ms);
  CAF_REQUIRE(a->append(yesterday));
  auto r = a->reserve(ask(0.9, 1.0));
  CAF_REQUIRE(r);
  CAF_CHECK_NOT_EQUAL(r->id, 0);
  CAF_CHECK_EQUAL(r->spent, 0.0);
}

CAF_TEST(reservations of a process that is gone are dropped and a live one kept) {
  auto live = open(store::process_holder(getppid()));
  auto dead = open("2147483647 no-such-boot 1");
  CAF_REQUIRE(live->reserve(ask(0.3, 1.0))->id != 0);
  CAF_REQUIRE(dead->reserve(ask(0.6, 1.0))->id != 0);
  auto mine = open();
  auto r = mine->reserve(ask(0.6, 1.0));
  CAF_REQUIRE(r);
  CAF_CHECK_NOT_EQUAL(r->id, 0); // the dead 0.6 no longer counts
  CAF_CHECK_EQUAL(r->reserved, 0.3);
}

CAF_TEST(a child process that dies holding a reservation does not hold it forever) {
  { auto init = open(); } // the schema exists before the child opens the file
  auto pid = fork();
  CAF_REQUIRE(pid >= 0);
  if (pid == 0) {
    auto s = store::open_sqlite_ledger(dir / "ledger.sqlite");
    bool ok = s && (*s)->reserve(ask(0.9, 1.0)) && (*s)->reserve(ask(0.0, 1.0));
    std::_Exit(ok ? 0 : 1); // never settles
  }
  int status = 0;
  CAF_REQUIRE_EQUAL(waitpid(pid, &status, 0), pid);
  CAF_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto r = open()->reserve(ask(0.9, 1.0));
  CAF_REQUIRE(r);
  CAF_CHECK_NOT_EQUAL(r->id, 0);
}

CAF_TEST(processes reserving at once never spend past the limit) {
  { auto init = open(); }
  constexpr int workers = 4;
  std::vector<pid_t> pids;
  for (int w = 0; w < workers; ++w) {
    auto pid = fork();
    CAF_REQUIRE(pid >= 0);
    if (pid == 0) {
      auto s = store::open_sqlite_ledger(dir / "ledger.sqlite");
      if (!s)
        std::_Exit(2);
      // Reserve $0.07, spend it, until refused.
      for (;;) {
        auto r = (*s)->reserve(ask(0.07, 1.0));
        if (!r)
          std::_Exit(3);
        if (r->id == 0)
          std::_Exit(0);
        auto call = paid(0.07);
        if (!(*s)->settle(r->id, &call))
          std::_Exit(4);
      }
    }
    pids.push_back(pid);
  }
  for (auto pid : pids) {
    int status = 0;
    CAF_REQUIRE_EQUAL(waitpid(pid, &status, 0), pid);
    CAF_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto calls = open()->since(0);
  CAF_REQUIRE(calls);
  CAF_CHECK_EQUAL(calls->size(), 14u); // floor(1.0 / 0.07), whoever made them
  CAF_CHECK(*open()->spent_since(0) <= 1.0 + 1e-9);
}

CAF_TEST(a run lock excludes a second holder and names the pid) {
  fs::create_directories(dir / "runs" / "r1");
  auto first = store::run_lock::acquire(dir / "runs" / "r1");
  CAF_REQUIRE(first);
  auto second = store::run_lock::acquire(dir / "runs" / "r1");
  CAF_REQUIRE(!second);
  CAF_CHECK_EQUAL(second.error().message, "run r1 is in use by pid " + std::to_string(getpid()));
  { auto moved = std::move(*first); } // released with its last holder
  CAF_CHECK(store::run_lock::acquire(dir / "runs" / "r1"));
}

CAF_TEST(a journal whose plan has a cycle is invalid input naming the file) {
  write_journal("cyc", R"({"event":"planned","at":2,"summary":"s","subtasks":[)"
                       R"({"number":1,"text":"a","depends_on":[3]},)"
                       R"({"number":2,"text":"b","depends_on":[1]},)"
                       R"({"number":3,"text":"c","depends_on":[2]}]})");
  auto f = read_failure("cyc");
  CAF_CHECK_EQUAL(f.code, errc::invalid_input);
  CAF_CHECK_EQUAL(f.message, "journal: " + (dir / "runs" / "cyc" / "journal.jsonl").string()
                                 + ": subtask 1 depends on 3, which depends on 2, which "
                                   "depends on 1: a cycle");
}

CAF_TEST(a journal plan with a missing dependency or a duplicate number is invalid input) {
  write_journal("missing", R"({"event":"planned","at":2,"subtasks":[)"
                           R"({"number":1,"text":"a","depends_on":[7]}]})");
  CAF_CHECK(read_failure("missing").message.find("subtask 1 depends on 7, which is not in the plan")
            != std::string::npos);
  write_journal("twice", R"({"event":"planned","at":2,"subtasks":[)"
                         R"({"number":1,"text":"a"},{"number":1,"text":"b"}]})");
  CAF_CHECK(read_failure("twice").message.find("subtask 1 appears twice") != std::string::npos);
  std::string many = R"({"event":"planned","at":2,"subtasks":[)";
  for (int i = 1; i <= 11; ++i)
    many += (i > 1 ? "," : "") + std::string{R"({"number":)"} + std::to_string(i) + "}";
  write_journal("many", many + "]}");
  CAF_CHECK(read_failure("many").message.find("11 subtasks, more than 10") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
