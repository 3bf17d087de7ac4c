#define CAF_SUITE libet.store.hostile
#include "caf/test/unit_test.hpp"

// Rows and journal lines come from disk, written by older builds, by hand, or
// from a lying upstream: what they claim is bounded before any sum.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "et/cost/summary.hpp"
#include "et/llm/plausible.hpp"
#include "et/store/detail/sqlite.hpp"
#include "et/store/journal.hpp"
#include "et/store/ledger_store.hpp"
#include "raw_sql.hpp"
#include "temp_dir.hpp"

using namespace et;
namespace fs = std::filesystem;

namespace {

store::stored_call call(int64_t unix_ms, usage tokens, std::optional<double> usd) {
  store::stored_call c;
  c.run_id = "r1";
  c.call.role = "polecat";
  c.call.provider = "p";
  c.call.model = "m";
  c.call.tokens = tokens;
  c.call.usd = usd;
  c.call.ok = true;
  c.call.outcome = "ok";
  c.call.unix_ms = unix_ms;
  return c;
}

constexpr int64_t huge = std::numeric_limits<int64_t>::max() - 8;

// A lie of each kind next to one honest $2 call.
void check_hostile_rows(store::ledger_store& s) {
  CAF_REQUIRE(s.append(call(1000, usage{10, 20, 0, 0, 0}, 2.0)));
  CAF_REQUIRE(s.append(call(1001, usage{-5, -99'999'999, 0, 0, 0}, -99'999'999'999.0)));
  CAF_REQUIRE(s.append(call(1002, usage{huge, huge, huge, huge, huge}, 1e300)));
  CAF_REQUIRE(s.append(call(1003, usage{1, 1, 0, 0, 0}, std::numeric_limits<double>::infinity())));
  CAF_REQUIRE(s.append(call(1004, usage{1, 1, 0, 0, 0}, std::numeric_limits<double>::quiet_NaN())));
  // The day's spend is the honest $2: a negative cost cannot cancel it.
  // Bound to a local: CAF_CHECK_EQUAL keeps `auto&&` to its argument, and `*` of a
  // temporary's value dangles once that temporary dies (ASan: stack-use-after-scope).
  auto spent = s.spent_since(0);
  CAF_REQUIRE(spent);
  CAF_CHECK_EQUAL(*spent, 2.0);
  auto rows = s.since(0);
  CAF_REQUIRE(rows);
  cost::summary sum;
  for (const auto& r : *rows) {
    CAF_CHECK(r.call.tokens.prompt_tokens >= 0);
    CAF_CHECK(r.call.tokens.completion_tokens <= max_token_count);
    sum.add(r.call);
  }
  const auto& t = sum.total();
  CAF_CHECK_EQUAL(t.usd, 2.0);
  CAF_CHECK(t.prompt_tokens >= 10);
  CAF_CHECK(t.completion_tokens >= 20);
  CAF_CHECK_EQUAL(t.requests, 5);
}

} // namespace

CAF_TEST(the memory ledger sums no impossible row) {
  auto s = store::make_memory_ledger();
  check_hostile_rows(*s);
}

CAF_TEST(the sqlite ledger sums no impossible row) {
  et::test::scratch_dir tmp{"ledger-hostile"};
  auto s = store::open_sqlite_ledger(tmp.dir / "ledger.sqlite");
  CAF_REQUIRE(s);
  check_hostile_rows(**s);
}

CAF_TEST(a hand edited day of spend neither switches a budget off nor overflows) {
  et::test::scratch_dir tmp{"ledger-day"};
  auto file = tmp.dir / "ledger.sqlite";
  auto s = store::open_sqlite_ledger(file);
  CAF_REQUIRE(s);
  CAF_REQUIRE((*s)->append(call(1000, usage{10, 20, 0, 0, 0}, 2.0)));
  CAF_REQUIRE_EQUAL(et::test::raw_exec(file, "UPDATE spend_by_day SET usd = -1e300"), SQLITE_OK);
  auto below = (*s)->spent_since(0); // from a day's start: the day sums answer
  CAF_REQUIRE(below);
  CAF_CHECK_EQUAL(*below, 0.0);
  CAF_REQUIRE_EQUAL(et::test::raw_exec(file, "UPDATE spend_by_day SET usd = 9e999"), SQLITE_OK);
  auto above = (*s)->spent_since(0);
  CAF_REQUIRE(above);
  CAF_CHECK(std::isfinite(*above));
  CAF_CHECK_EQUAL(*above, max_usd);
}

CAF_TEST(sums of spend saturate instead of wrapping) {
  cost::spend a;
  a.prompt_tokens = huge;
  a.completion_tokens = huge;
  a.requests = huge;
  cost::spend b = a;
  a += b;
  CAF_CHECK_EQUAL(a.prompt_tokens, std::numeric_limits<int64_t>::max());
  CAF_CHECK_EQUAL(a.completion_tokens, std::numeric_limits<int64_t>::max());
  CAF_CHECK_EQUAL(a.requests, std::numeric_limits<int64_t>::max());
  for (int i = 0; i < 3; ++i)
    a.add(usage{max_token_count, max_token_count, 0, 0, 0}, 1.0, true);
  CAF_CHECK_EQUAL(a.prompt_tokens, std::numeric_limits<int64_t>::max());
  // The request count saturates too (it used to wrap: signed overflow, found by UBSan).
  CAF_CHECK_EQUAL(a.requests, std::numeric_limits<int64_t>::max());
  a.failures = std::numeric_limits<int64_t>::max();
  a.unpriced_requests = std::numeric_limits<int64_t>::max();
  a.add(usage{1, 1, 0, 0, 0}, std::nullopt, false);
  CAF_CHECK_EQUAL(a.failures, std::numeric_limits<int64_t>::max());
  CAF_CHECK_EQUAL(a.unpriced_requests, std::numeric_limits<int64_t>::max());
  usage u{huge, huge, huge, huge, huge};
  u += usage{huge, 1, 100, 0, 9};
  CAF_CHECK(
      u
      == (usage{std::numeric_limits<int64_t>::max(), huge + 1, std::numeric_limits<int64_t>::max(),
                huge, std::numeric_limits<int64_t>::max()}));
}

CAF_TEST(no nan infinite or negative cost or price enters a sum) {
  cost::spend s;
  s.add(usage{1, 1, 0, 0, 0}, 1.5, true);
  s.add(usage{1, 1, 0, 0, 0}, -100.0, true);
  s.add(usage{1, 1, 0, 0, 0}, std::numeric_limits<double>::quiet_NaN(), true);
  s.add(usage{1, 1, 0, 0, 0}, std::numeric_limits<double>::infinity(), true);
  s.add(usage{-7, -7, 0, 0, 0}, 0.5, true);
  CAF_CHECK_EQUAL(s.usd, 2.0);
  CAF_CHECK_EQUAL(s.unpriced_requests, 3);
  CAF_CHECK_EQUAL(s.prompt_tokens, 4);
  cost::model_price negative;
  negative.input_per_token = -1;
  negative.output_per_token = 1;
  CAF_CHECK(!cost::cost_usd(usage{10, 10, 0, 0, 0}, std::optional{negative}).has_value());
  cost::model_price nan;
  nan.output_per_token = std::numeric_limits<double>::quiet_NaN();
  CAF_CHECK(!cost::cost_usd(usage{10, 10, 0, 0, 0}, std::optional{nan}).has_value());
  cost::model_price fine;
  fine.input_per_token = 0.5;
  fine.output_per_token = 1;
  CAF_CHECK_EQUAL(cost::cost_usd(usage{2, 3, 0, 0, 0}, std::optional{fine}).value_or(-1), 4.0);
  // Counts past the bound price as nothing rather than as a lie.
  CAF_CHECK_EQUAL(
      cost::cost_usd(usage{2, -99'999'999'999, 0, 0, 0}, std::optional{fine}).value_or(-1), 1.0);
}

struct journal_fixture : et::test::scratch_dir {
  journal_fixture() : scratch_dir("hostile") {}

  // A run folder whose journal holds `lines` after its started event (`started`).
  fs::path run(const std::string& lines,
               const std::string& started =
                   R"({"event":"started","at":1,"id":"r1","started_ms":1,"task":"t"})") {
    auto run_dir = dir / "r1";
    fs::create_directories(run_dir);
    std::ofstream{run_dir / "journal.jsonl", std::ios::binary} << started << "\n" << lines;
    return run_dir;
  }
};

namespace {

// The first column of `sql`'s first row on `db` as an integer; -1 when it has none.
int64_t integer_of(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  int64_t out = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return out;
}

} // namespace

CAF_TEST(et opens its databases defensively) {
  et::test::scratch_dir tmp{"sqlite-defensive"};
  auto db = store::detail::open_private_database(tmp.dir / "x.sqlite", "test");
  CAF_REQUIRE(db);
  auto exec = [&](const char* sql) { return sqlite3_exec(*db, sql, nullptr, nullptr, nullptr); };
  CAF_REQUIRE_EQUAL(exec("CREATE TABLE t (a INTEGER)"), SQLITE_OK);
  // The schema is not data, even with writable_schema asked for.
  exec("PRAGMA writable_schema = ON");
  CAF_CHECK_NOT_EQUAL(exec("UPDATE sqlite_master SET sql = 'CREATE TABLE t (b)' WHERE name = 't'"),
                      SQLITE_OK);
  CAF_CHECK_EQUAL(integer_of(*db, "PRAGMA trusted_schema"), 0);
  CAF_CHECK_EQUAL(integer_of(*db, "PRAGMA cell_size_check"), 1);
  sqlite3_close(*db);
}

CAF_TEST_FIXTURE_SCOPE(journal_tests, journal_fixture)

CAF_TEST(journal lines with impossible tokens or costs read as zero) {
  auto r = store::read_run(run(
      R"({"event":"planned","at":2,"summary":"s","subtasks":[{"number":1,"text":"a"},{"number":2,"text":"b"}]})"
      "\n"
      R"({"event":"subtask_finished","at":3,"number":1,"state":"done","usd":-5,)"
      R"("tokens":{"prompt_tokens":1e30,"completion_tokens":-5,"cache_read_tokens":18446744073709551615,)"
      R"("reasoning_tokens":9.5e18},"attempts":1e30,"elapsed_ms":-1e300})"
      "\n"
      R"({"event":"subtask_finished","at":4,"number":2,"state":"done","usd":1e300,)"
      R"("tokens":{"prompt_tokens":7,"completion_tokens":8}})"
      "\n"
      R"({"event":"finished","at":5,"status":"done","usd":-99999999999,)"
      R"("tokens":{"prompt_tokens":-5,"completion_tokens":1e30}})"
      "\n"));
  CAF_REQUIRE(r);
  const auto* one = r->find(1);
  CAF_REQUIRE(one != nullptr);
  CAF_CHECK(one->tokens == usage{});
  CAF_CHECK_EQUAL(one->usd, 0.0);
  CAF_CHECK_EQUAL(one->attempts, 0);
  const auto* two = r->find(2);
  CAF_REQUIRE(two != nullptr);
  CAF_CHECK(two->tokens == (usage{7, 8, 0, 0, 0}));
  CAF_CHECK_EQUAL(two->usd, 0.0);
  CAF_CHECK(r->tokens == usage{});
  CAF_CHECK_EQUAL(r->usd, 0.0);
}

CAF_TEST(a journal names neither its folder nor numbers past what the command line allows) {
  auto r = store::read_run(
      run(R"({"event":"planned","at":2,"summary":"s","subtasks":[{"number":1,"text":"a"}]})"
          "\n"
          R"({"event":"assigned","at":3,"number":4000000,"member":"m","attempt":1})"
          "\n"
          R"({"event":"assigned","at":3,"number":1,"member":"m","attempt":2147483647})"
          "\n"
          R"({"event":"finished","at":-9223372036854775807,"status":"done"})"
          "\n",
          R"({"event":"started","at":1,"id":"../../elsewhere","started_ms":-5,"task":"t",)"
          R"("max_iterations":1000000000,"max_subtasks":0})"));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->header.id, "r1"); // the folder it was found in
  CAF_CHECK_EQUAL(r->header.started_ms, 0);
  CAF_CHECK_GREATER_OR_EQUAL(r->header.max_iterations, 1);
  CAF_CHECK_LESS_OR_EQUAL(r->header.max_iterations, 20);
  CAF_CHECK_GREATER_OR_EQUAL(r->header.max_subtasks, 1);
  CAF_CHECK_EQUAL(r->subtasks.size(), 1u); // no subtask 4000000 to run on resume
  CAF_CHECK_EQUAL(r->find(1)->attempts, 0);
  CAF_CHECK_EQUAL(r->finished_ms, 0);
}

CAF_TEST(a journal past its bound is refused before it is read) {
  auto run_dir = run("");
  fs::resize_file(run_dir / "journal.jsonl", store::max_journal_bytes + 1); // sparse: no disk
  auto r = store::read_run(run_dir);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::invalid_input);
}

CAF_TEST_FIXTURE_SCOPE_END()
