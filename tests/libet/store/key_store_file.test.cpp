#define CAF_SUITE libet.store.key_store_file
#include "caf/test/unit_test.hpp"

#include <sqlite3.h>

#include "et/store/holder.hpp"
#include "et/store/key_store.hpp"
#include "key_store_test.hpp"
#include "raw_sql.hpp"

// The key store's file as others leave it: tables an older et wrote without the derived sums
// (filled once, then kept by the file's triggers), and tables that cannot be read (a store
// error, never a key that is unknown or a window that is empty).

using namespace et;
using namespace et::test::keys;

CAF_TEST_FIXTURE_SCOPE(key_store_file_tests, fixture)

CAF_TEST(a store that fails is an error and never an unknown key or an empty window) {
  auto s = open();
  store::key_limits l;
  l.rpm = 1;
  CAF_REQUIRE(s->create("k", l, t0));
  sqlite3* raw = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  // Rate windows that cannot be read: the limit must not pass as if the window were empty.
  CAF_CHECK_EQUAL(
      sqlite3_exec(raw, "ALTER TABLE key_windows RENAME TO gone", nullptr, nullptr, nullptr),
      SQLITE_OK);
  auto no_window = s->admit({"k", 0.0, 10, t0});
  CAF_REQUIRE(!no_window);
  CAF_CHECK(no_window.error().code != errc::auth);
  // A key table that cannot be read: a 500 to the client, not a 401 that says "revoked".
  CAF_CHECK_EQUAL(sqlite3_exec(raw,
                               "ALTER TABLE gone RENAME TO key_windows; "
                               "ALTER TABLE gateway_keys RENAME TO gone",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
  sqlite3_close(raw);
  auto no_keys = s->admit({"k", 0.0, 10, t0});
  CAF_REQUIRE(!no_keys);
  CAF_CHECK(no_keys.error().code != errc::auth);
}

CAF_TEST(a file from before the spend table gets it filled from its records once) {
  {
    auto s = open();
    store::key_limits l;
    l.budget_total = 1.0;
    CAF_REQUIRE(s->create("k", l, t0));
    CAF_REQUIRE(s->settle(0, answer("k", 0.25, t0)));
    CAF_REQUIRE(s->settle(0, answer("k", 0.25, t0 - day)));
  }
  // As an older et left it: records only, some of them implausible (they count nothing).
  sqlite3* raw = nullptr;
  CAF_REQUIRE_EQUAL(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  auto old = "DROP TRIGGER key_spend_of_record; DROP TABLE key_spend; INSERT INTO gateway_requests "
             "(key, model, unix_ms, "
             "prompt_tokens, completion_tokens, usd, status) VALUES ('k','gpt',"
             + std::to_string(t0) + ",0,0,-5,200), ('k','gpt'," + std::to_string(t0)
             + ",0,0,1e300,200), ('k','gpt'," + std::to_string(t0) + ",0,0,NULL,500)";
  CAF_CHECK_EQUAL(sqlite3_exec(raw, old.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  for (int opening = 0; opening < 2; ++opening) { // the second open fills nothing again
    auto s = open();
    auto listed = s->list(t0);
    CAF_REQUIRE(listed && listed->size() == 1);
    CAF_CHECK_EQUAL((*listed)[0].spent_day, 0.25);
    CAF_CHECK_EQUAL((*listed)[0].spent_total, 0.5);
    CAF_CHECK_EQUAL((*listed)[0].requests, 5);
  }
  // An et from before the table writes a record: the file's trigger counts it. A row someone
  // wrote into key_spend with a negative amount cancels nothing.
  CAF_REQUIRE_EQUAL(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
  auto older = "INSERT INTO gateway_requests (key, model, unix_ms, prompt_tokens, "
               "completion_tokens, usd, status) VALUES ('k','gpt',"
               + std::to_string(t0 - 2 * day) + ",0,0,0.125,200); INSERT INTO key_spend VALUES "
               + "('k'," + std::to_string(t0 - 5 * day) + ",-100,1)";
  CAF_CHECK_EQUAL(sqlite3_exec(raw, older.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto s = open();
  auto listed = s->list(t0);
  CAF_REQUIRE(listed && listed->size() == 1);
  CAF_CHECK_EQUAL((*listed)[0].spent_total, 0.625);
  auto fits = s->admit({"k", 0.375, 10, t0});
  CAF_REQUIRE(fits);
  CAF_CHECK_NOT_EQUAL(fits->id, 0);
  auto over = s->admit({"k", 0.01, 10, t0});
  CAF_REQUIRE(over);
  CAF_CHECK(over->why == store::key_refusal::budget_total);
}

CAF_TEST(open reservations count from key_reserved : filled once and kept by the file) {
  store::key_limits l;
  l.budget_total = 1.0;
  {
    auto s = open();
    CAF_REQUIRE(s->create("k", l, t0));
    auto a = s->admit({"k", 0.5, 10, t0});
    CAF_REQUIRE(a && a->id != 0); // left open
  }
  // As an older et left it: reservations, no key_reserved; then it reserves again.
  auto exec = [&](const std::string& sql) {
    CAF_CHECK_EQUAL(test::raw_exec(file, sql), SQLITE_OK);
  };
  exec("DROP TRIGGER key_reserved_add; DROP TRIGGER key_reserved_take; DROP TRIGGER "
       "key_reserved_fixed; DROP TABLE key_reserved");
  auto me = store::this_process_holder();
  exec("INSERT INTO key_reservations (key, holder, usd, tokens, minute) VALUES ('k', '" + me
       + "', 0.25, 10, 0)");
  auto s = open();
  // 0.5 + 0.25 open: 0.25 more fits, a cent more does not.
  auto over = s->admit({"k", 0.26, 10, t0});
  CAF_REQUIRE(over);
  CAF_CHECK(over->why == store::key_refusal::budget_total);
  // An older et reserves and releases by hand; the file's triggers keep the sums.
  exec("INSERT INTO key_reservations (key, holder, usd, tokens, minute) VALUES ('k', '" + me
       + "', 0.2, 10, 0)");
  auto now_over = s->admit({"k", 0.06, 10, t0});
  CAF_REQUIRE(now_over);
  CAF_CHECK(now_over->why == store::key_refusal::budget_total);
  exec("DELETE FROM key_reservations WHERE usd = 0.2");
  auto fits = s->admit({"k", 0.25, 10, t0});
  CAF_REQUIRE(fits);
  CAF_CHECK_NOT_EQUAL(fits->id, 0);
  // Admissions read the sums, not the reservations (whose scan grew with every one open):
  // with room by the reservations (0.75 open), a made-up sum refuses.
  CAF_REQUIRE(s->settle(fits->id, answer("k", 0, t0)));
  exec("UPDATE key_reserved SET usd = 5");
  auto by_sum = s->admit({"k", 0.01, 10, t0});
  CAF_REQUIRE(by_sum);
  CAF_CHECK(by_sum->why == store::key_refusal::budget_total);
  // Rows are never updated (the sums would go stale): the file refuses it.
  CAF_CHECK_NOT_EQUAL(test::raw_exec(file, "UPDATE key_reservations SET usd = 0"), SQLITE_OK);
  // Everything settled: no holder's sum is left behind.
  exec("DELETE FROM key_reservations");
  CAF_CHECK_EQUAL(test::raw_integer(file, "SELECT COUNT(*) FROM key_reserved"), 0);
}

CAF_TEST(budget_total reads the key_spend_total row : filled once and kept by the file) {
  store::key_limits l;
  l.budget_total = 1.0;
  {
    auto s = open();
    CAF_REQUIRE(s->create("k", l, t0));
    for (int d = 0; d < 4; ++d) // a record on each of four days
      CAF_REQUIRE(s->settle(0, answer("k", 0.125, t0 - d * day)));
  }
  // An older file.
  CAF_CHECK_EQUAL(
      test::raw_exec(file, "DROP TRIGGER key_spend_total_of_record; DROP TABLE key_spend_total"),
      SQLITE_OK);
  auto s = open();
  auto listed = s->list(t0);
  CAF_REQUIRE(listed && listed->size() == 1);
  CAF_CHECK_EQUAL((*listed)[0].spent_total, 0.5);
  auto fits = s->admit({"k", 0.5, 10, t0});
  CAF_REQUIRE(fits);
  CAF_CHECK_NOT_EQUAL(fits->id, 0);
  CAF_REQUIRE(s->settle(fits->id, answer("k", 0, t0)));
  // The total is read from its row, not summed over the days: a made-up total refuses.
  CAF_CHECK_EQUAL(test::raw_exec(file, "UPDATE key_spend_total SET usd = 0.99"), SQLITE_OK);
  auto over = s->admit({"k", 0.02, 10, t0});
  CAF_REQUIRE(over);
  CAF_CHECK(over->why == store::key_refusal::budget_total);
}

CAF_TEST_FIXTURE_SCOPE_END()
