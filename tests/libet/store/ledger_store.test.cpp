#define CAF_SUITE libet.store.ledger_store
#include "caf/test/unit_test.hpp"

#include <filesystem>
#include <sqlite3.h>

#include "et/store/holder.hpp"
#include "et/store/ledger_store.hpp"
#include "raw_sql.hpp"
#include "temp_dir.hpp"

using namespace et;

namespace {

store::stored_call sample(int64_t unix_ms, std::optional<double> usd, std::string run = "r1") {
  store::stored_call c;
  c.run_id = std::move(run);
  c.call.role = "polecat";
  c.call.alias = "a";
  c.call.provider = "p";
  c.call.model = "m";
  c.call.tokens = usage{10, 20, 3, 4, 5};
  c.call.usd = usd;
  c.call.ok = usd.has_value();
  c.call.latency = std::chrono::milliseconds{1234};
  c.call.attempt = 2;
  c.call.outcome = usd ? "ok" : "server_error";
  c.call.unix_ms = unix_ms;
  return c;
}

void check_store(store::ledger_store& s) {
  CAF_REQUIRE(s.append(sample(1000, 0.5)));
  CAF_REQUIRE(s.append(sample(2000, std::nullopt)));
  CAF_REQUIRE(s.append(sample(3000, 0.25, "r2")));
  auto all = s.since(0);
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), 3u);
  CAF_CHECK((*all)[0].call == sample(1000, 0.5).call);
  CAF_CHECK((*all)[1].call == sample(2000, std::nullopt).call);
  CAF_CHECK_EQUAL((*all)[2].run_id, "r2");
  CAF_CHECK_EQUAL(s.since(2000)->size(), 2u);
  // Bound to locals: CAF_CHECK_EQUAL keeps `auto&&` to its argument, and `*` of a
  // temporary's value dangles once that temporary dies (ASan: stack-use-after-scope).
  auto all_spent = s.spent_since(0);
  auto late_spent = s.spent_since(2500);
  CAF_REQUIRE(all_spent && late_spent);
  CAF_CHECK_EQUAL(*all_spent, 0.75);
  CAF_CHECK_EQUAL(*late_spent, 0.25);
  // A run's spend is its own calls' priced cost, by role (what a resume starts from).
  auto mayor = sample(4000, 0.125, "r2");
  mayor.call.role = "mayor";
  CAF_REQUIRE(s.append(mayor));
  auto r1 = s.run_spend("r1", 0);
  auto r2 = s.run_spend("r2", 0);
  auto r2_late = s.run_spend("r2", 3500); // calls before the run's start are another run's
  auto none = s.run_spend("r3", 0);
  CAF_REQUIRE(r1 && r2 && r2_late && none);
  CAF_CHECK((*r2_late == std::map<std::string, double>{{"mayor", 0.125}}));
  CAF_CHECK((*r1 == std::map<std::string, double>{{"polecat", 0.5}}));
  CAF_CHECK((*r2 == std::map<std::string, double>{{"mayor", 0.125}, {"polecat", 0.25}}));
  CAF_CHECK(none->empty());
}

// A batch settles one reservation with its call, releases another and appends a call
// without one: afterwards no reservation is held and the calls are there in order.
void check_batch(store::ledger_store& s) {
  auto a = s.reserve({1.0, std::nullopt, 0});
  auto b = s.reserve({2.0, std::nullopt, 0});
  CAF_REQUIRE(a && b && a->id != 0 && b->id != 0);
  std::vector<store::ledger_write> batch{
      {a->id, sample(1000, 0.5)}, {b->id, std::nullopt}, {0, sample(2000, 0.25, "r2")}};
  CAF_REQUIRE(s.write_all(batch));
  auto after = s.reserve({0.0, std::nullopt, 0});
  CAF_REQUIRE(after);
  CAF_CHECK_EQUAL(after->reserved, 0.0);
  CAF_CHECK_EQUAL(after->spent, 0.75);
  auto all = s.since(0);
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), 2u);
  CAF_CHECK((*all)[0].call == sample(1000, 0.5).call);
  CAF_CHECK_EQUAL((*all)[1].run_id, "r2");
}

} // namespace

CAF_TEST(a batch of writes settles releases and appends in the memory ledger) {
  auto s = store::make_memory_ledger();
  check_batch(*s);
}

CAF_TEST(a batch of writes settles releases and appends in the sqlite ledger) {
  et::test::scratch_dir tmp{"ledger-batch"};
  auto s = store::open_sqlite_ledger(tmp.dir / "ledger.sqlite");
  CAF_REQUIRE(s);
  check_batch(**s);
}

CAF_TEST(the memory ledger keeps calls and sums priced spend) {
  auto s = store::make_memory_ledger();
  check_store(*s);
}

CAF_TEST(the sqlite ledger keeps every field across reopening) {
  et::test::scratch_dir tmp{"ledger"};
  auto file = tmp.dir / "nested" / "ledger.sqlite";
  {
    auto s = store::open_sqlite_ledger(file);
    CAF_REQUIRE(s);
    check_store(**s);
  }
  auto again = store::open_sqlite_ledger(file);
  CAF_REQUIRE(again);
  CAF_CHECK_EQUAL((*again)->since(0)->size(), 4u);
}

CAF_TEST(an unopenable ledger is an io error naming the file) {
  auto s = store::open_sqlite_ledger("/proc/et-no-such/ledger.sqlite");
  CAF_REQUIRE(!s);
  CAF_CHECK_EQUAL(s.error().code, errc::io_error);
  CAF_CHECK(s.error().message.find("/proc/et-no-such") != std::string::npos);
}

CAF_TEST(the start of the utc day is midnight) {
  CAF_CHECK_EQUAL(store::start_of_utc_day(86'400'000 * 3 + 5000), 86'400'000 * 3);
  CAF_CHECK_EQUAL(store::start_of_utc_day(86'400'000 * 3), 86'400'000 * 3);
}

CAF_TEST(a per_day budget reads the day sums : filled once and kept through every change) {
  test::scratch_dir dir{"ledger-days"};
  auto file = dir.dir / "ledger.sqlite";
  constexpr int64_t day = 86'400'000;
  const int64_t today = store::start_of_utc_day(1'700'000'000'000);
  auto exec = [&](const std::string& sql) {
    CAF_CHECK_EQUAL(test::raw_exec(file, sql), SQLITE_OK);
  };
  auto check = [&](store::ledger_store& s, double spent, double reserved) {
    auto g = s.reserve({0.0, 10.0, today});
    CAF_REQUIRE(g && g->id != 0);
    CAF_CHECK_EQUAL(g->spent, spent);
    CAF_CHECK_EQUAL(g->reserved, reserved);
    CAF_CHECK(s.settle(g->id, nullptr));
  };
  {
    auto s = store::open_sqlite_ledger(file, "me");
    CAF_REQUIRE(s);
    CAF_REQUIRE((*s)->append(sample(today + 5, 0.25)));
    CAF_REQUIRE((*s)->append(sample(today - 5, 0.5))); // yesterday
  }
  // As an older et left it: no day sums, and it wrote more calls (implausible ones count 0)
  // and a reservation of a live process.
  auto at = std::to_string(today + 7);
  auto me = store::this_process_holder();
  exec("DROP TRIGGER spend_by_day_add; DROP TRIGGER spend_by_day_take; DROP TRIGGER "
       "spend_by_day_change; DROP TABLE spend_by_day; DROP TRIGGER "
       "reserved_by_holder_add; DROP TRIGGER reserved_by_holder_take; DROP TRIGGER "
       "reserved_by_holder_fixed; DROP TABLE reserved_by_holder; INSERT INTO calls "
       "(run_id, unix_ms, role, alias, provider, model, prompt_tokens, "
       "completion_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, "
       "usd, ok, latency_ms, attempt, outcome) VALUES ('r', "
       + at + ", 'p', 'a', 'p', 'm', 0, 0, 0, 0, 0, 0.125, 1, 1, 1, 'ok'), ('r', " + at
       + ", 'p', 'a', 'p', 'm', 0, 0, 0, 0, 0, -5, 1, 1, 1, 'ok'), ('r', " + at
       + ", 'p', 'a', 'p', 'm', 0, 0, 0, 0, 0, 1e300, 1, 1, 1, 'ok'); INSERT INTO "
         "reservations (holder, usd) VALUES ('"
       + me + "', 0.0625)");
  auto s = store::open_sqlite_ledger(file, "me");
  CAF_REQUIRE(s);
  check(**s, 0.375, 0.0625);
  // Changed by hand: a call deleted, another moved to yesterday, the reservation released.
  exec("DELETE FROM calls WHERE usd = 0.125; UPDATE calls SET unix_ms = "
       + std::to_string(today - day) + " WHERE usd = 0.25; DELETE FROM reservations");
  check(**s, 0.0, 0.0);
  CAF_CHECK_EQUAL(*(*s)->spent_since(0), 0.75); // every day, from the sums too
  // The check reads the sums, not the calls and reservations: made-up sums count.
  exec("INSERT INTO reservations (holder, usd) VALUES ('" + me
       + "', 0.0625); UPDATE reserved_by_holder SET usd = 3");
  check(**s, 0.0, 3.0);
  exec("DELETE FROM reservations");
  check(**s, 0.0, 0.0); // the holder's row went with its last reservation
  exec("UPDATE spend_by_day SET usd = 20 WHERE day_ms = " + std::to_string(today));
  auto refused = (*s)->reserve({0.01, 10.0, today});
  CAF_REQUIRE(refused);
  CAF_CHECK_EQUAL(refused->id, 0);
}
