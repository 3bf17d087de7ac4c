#include "et/store/ledger_store.hpp"

#include <cmath>
#include <map>
#include <mutex>
#include <sqlite3.h>

#include "et/store/detail/derived.hpp"
#include "et/store/detail/sqlite.hpp"

#include "et/llm/plausible.hpp"

#include "et/store/holder.hpp"

namespace et::store {

int64_t start_of_utc_day(int64_t unix_ms) {
  constexpr int64_t day = 86'400'000;
  return unix_ms - ((unix_ms % day) + day) % day;
}

bool crosses_limit(double limit, double committed, double next) {
  // A nano-dollar of slack keeps binary rounding (0.1 + 0.2 > 0.3) from
  // refusing a request that lands exactly on the budget.
  return committed + next > limit + 1e-9;
}

namespace {

// The day's spend counts only plausible costs (see plausible_usd): a negative or
// infinite row must not cancel what was spent. ?2 is bound to max_usd by sum().
constexpr const char* kSpentSql =
    "SELECT COALESCE(SUM(usd), 0) FROM calls WHERE unix_ms >= ? AND usd >= 0 AND usd <= ?";

constexpr const char* schema = R"(
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS calls (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL, unix_ms INTEGER NOT NULL,
  role TEXT NOT NULL, alias TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
  cache_read_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL, usd REAL, ok INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL, attempt INTEGER NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS calls_by_time ON calls(unix_ms);
CREATE TABLE IF NOT EXISTS reservations (
  id INTEGER PRIMARY KEY, holder TEXT NOT NULL, usd REAL NOT NULL);
)";

// spend_by_day: the recorded spend per UTC day, kept by the file's triggers (detail/derived.hpp)
// through every insert, delete and change of a call. A per_day budget check summed the day's
// calls instead: 0.13 ms with none, 1.5 ms with 10,000, 18 ms with 100,000, in the ledger
// actor that every budgeted call waits for.
detail::derived_table spend_by_day() {
  using detail::plausible_usd_sql;
  using detail::utc_day_sql;
  auto add = "INSERT INTO spend_by_day (day_ms, usd, calls) VALUES (" + utc_day_sql("NEW.unix_ms")
             + ", " + plausible_usd_sql("NEW.usd")
             + ", 1) ON CONFLICT (day_ms) DO UPDATE SET usd = usd + excluded.usd, calls = calls "
               "+ 1;";
  std::string take = "UPDATE spend_by_day SET usd = usd - " + plausible_usd_sql("OLD.usd")
                     + ", calls = calls - 1 WHERE day_ms = " + utc_day_sql("OLD.unix_ms") + ";";
  return {
      "spend_by_day",
      "CREATE TABLE spend_by_day (day_ms INTEGER PRIMARY KEY, usd REAL NOT NULL, calls INTEGER "
      "NOT NULL)",
      {"CREATE TRIGGER IF NOT EXISTS spend_by_day_add AFTER INSERT ON calls BEGIN " + add + " END",
       "CREATE TRIGGER IF NOT EXISTS spend_by_day_take AFTER DELETE ON calls BEGIN " + take
           + " END",
       "CREATE TRIGGER IF NOT EXISTS spend_by_day_change AFTER UPDATE OF usd, unix_ms ON calls "
       "BEGIN "
           + take + " " + add + " END"},
      "INSERT INTO spend_by_day (day_ms, usd, calls) SELECT " + utc_day_sql("unix_ms")
          + " AS day, SUM(" + plausible_usd_sql("usd") + "), COUNT(*) FROM calls GROUP BY day"};
}

class sqlite_ledger : public ledger_store {
public:
  /// Reservations held by `holder`; `own`: that is this process, which takes its lease in
  /// `leases` before it reserves.
  sqlite_ledger(std::string holder, bool own, std::filesystem::path leases)
      : holder_(std::move(holder)), own_holder_(own), leases_(std::move(leases)) {}

  result<void> append(const stored_call& c) override;
  result<std::vector<stored_call>> since(int64_t unix_ms) const override;
  result<double> spent_since(int64_t unix_ms) const override;
  result<std::map<std::string, double>> run_spend(const std::string& run_id,
                                                  int64_t since_ms) const override;
  result<reservation_grant> reserve(const reservation_ask& ask) override;
  result<void> settle(int64_t id, const stored_call* call) override;
  result<void> write_all(const std::vector<ledger_write>& writes) override;

  detail::connection db{"ledger"};

private:
  result<void> insert(const stored_call& c);
  result<void> release(int64_t id);
  result<double> sum(const char* sql, int64_t arg, const char* what) const;
  result<double> spent_from(int64_t unix_ms) const; // recorded spend since, lock held
  result<void> drop_dead_holders();

  mutable std::mutex mutex_;
  std::string holder_;
  bool own_holder_;
  std::filesystem::path leases_;
};

result<void> sqlite_ledger::append(const stored_call& c) {
  // A record is spend: retried while another process holds the file.
  return db.retry_when_busy([&] {
    std::lock_guard<std::mutex> guard{mutex_};
    return insert(c);
  });
}

result<void> sqlite_ledger::insert(const stored_call& c) {
  detail::checked_statement st{db, "INSERT INTO calls (run_id, unix_ms, role, alias, provider, "
                                   "model, prompt_tokens, completion_tokens, cache_read_tokens, "
                                   "cache_write_tokens, reasoning_tokens, usd, ok, latency_ms, "
                                   "attempt, outcome) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"};
  const auto& k = c.call;
  st.bind(1, c.run_id);
  st.bind(2, k.unix_ms);
  st.bind(3, k.role);
  st.bind(4, k.alias);
  st.bind(5, k.provider);
  st.bind(6, k.model);
  // A lie from upstream is not kept: implausible counts are stored as 0 and
  // an implausible cost as unknown.
  auto tokens = plausible(k.tokens);
  st.bind(7, tokens.prompt_tokens);
  st.bind(8, tokens.completion_tokens);
  st.bind(9, tokens.cache_read_tokens);
  st.bind(10, tokens.cache_write_tokens);
  st.bind(11, tokens.reasoning_tokens);
  st.bind(12, plausible_usd(k.usd));
  st.bind(13, int64_t{k.ok ? 1 : 0});
  st.bind(14, int64_t{k.latency.count()});
  st.bind(15, int64_t{k.attempt});
  st.bind(16, k.outcome);
  return st.run("insert");
}

result<std::vector<stored_call>> sqlite_ledger::since(int64_t unix_ms) const {
  std::lock_guard<std::mutex> guard{mutex_};
  detail::checked_statement st{db, "SELECT run_id, unix_ms, role, alias, provider, model, "
                                   "prompt_tokens, completion_tokens, cache_read_tokens, "
                                   "cache_write_tokens, reasoning_tokens, usd, ok, latency_ms, "
                                   "attempt, outcome FROM calls WHERE unix_ms >= ? "
                                   "ORDER BY unix_ms, id"};
  if (!st.ok())
    return db.error("prepare query");
  st.bind(1, unix_ms);
  std::vector<stored_call> out;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW) {
    stored_call c;
    c.run_id = st.text(0);
    auto& k = c.call;
    k.unix_ms = st.integer(1);
    k.role = st.text(2);
    k.alias = st.text(3);
    k.provider = st.text(4);
    k.model = st.text(5);
    // Rows written by older builds (or by hand) may hold anything.
    k.tokens = plausible(
        usage{st.integer(6), st.integer(7), st.integer(8), st.integer(9), st.integer(10)});
    if (auto usd = st.opt_real(11))
      k.usd = plausible_usd(*usd);
    k.ok = st.integer(12) != 0;
    k.latency = std::chrono::milliseconds{st.integer(13)};
    k.attempt = static_cast<int>(st.integer(14));
    k.outcome = st.text(15);
    out.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE)
    return db.error("query");
  return out;
}

result<double> sqlite_ledger::spent_since(int64_t unix_ms) const {
  std::lock_guard<std::mutex> guard{mutex_};
  return spent_from(unix_ms);
}

result<std::map<std::string, double>> sqlite_ledger::run_spend(const std::string& run_id,
                                                               int64_t since_ms) const {
  std::lock_guard<std::mutex> guard{mutex_};
  // By time first (calls_by_time): no index on run_id for a query made once per resume.
  detail::checked_statement st{db, "SELECT role, COALESCE(SUM(usd), 0) FROM calls WHERE unix_ms "
                                   ">= ? AND run_id = ? AND usd >= 0 AND usd <= ? GROUP BY role"};
  if (!st.ok())
    return db.error("prepare run spend");
  st.bind(1, since_ms);
  st.bind(2, run_id);
  st.bind(3, max_usd);
  std::map<std::string, double> out;
  int rc = 0;
  while ((rc = st.step()) == SQLITE_ROW)
    out[st.text(0)] = std::min(st.real(1), max_usd); // many plausible rows can still add up
  if (rc != SQLITE_DONE)
    return db.error("run spend");
  return out;
}

result<double> sqlite_ledger::spent_from(int64_t unix_ms) const {
  // From the start of a UTC day (what per_day budgets ask), the day sums answer.
  if (unix_ms == start_of_utc_day(unix_ms))
    return sum("SELECT COALESCE(SUM(MAX(usd, 0)), 0) FROM spend_by_day WHERE day_ms >= ?", unix_ms,
               "sum days");
  return sum(kSpentSql, unix_ms, "sum");
}

result<double> sqlite_ledger::sum(const char* sql, int64_t arg, const char* what) const {
  detail::checked_statement st{db, sql};
  if (st.parameters() > 0)
    st.bind(1, arg);
  if (st.parameters() > 1)
    st.bind(2, max_usd);
  // A hand-edited row (-Inf, 1e308) must not switch a budget off or on for good.
  auto total = st.scalar(what);
  if (total && (std::isnan(*total) || *total < 0))
    return 0.0;
  if (total && *total > max_usd)
    return max_usd;
  return total;
}

// Reservations of processes that died (crashed, killed) before settling
// would hold budget forever; their holders are checked one by one.
result<void> sqlite_ledger::drop_dead_holders() {
  std::vector<std::string> dead;
  {
    detail::checked_statement st{db, "SELECT holder FROM reserved_by_holder"};
    if (!st.ok())
      return db.error("prepare holders");
    int rc = 0;
    while ((rc = st.step()) == SQLITE_ROW)
      if (auto holder = st.text(0); holder != holder_ && !holder_alive(holder, leases_))
        dead.push_back(std::move(holder));
    if (rc != SQLITE_DONE)
      return db.error("holders");
  }
  for (const auto& holder : dead) {
    detail::checked_statement st{db, "DELETE FROM reservations WHERE holder = ?"};
    st.bind(1, holder);
    if (auto r = st.run("expire"); !r)
      return r;
  }
  return {};
}

result<reservation_grant> sqlite_ledger::reserve(const reservation_ask& ask) {
  std::lock_guard<std::mutex> guard{mutex_};
  // Before the first reservation: from then on other processes look for our lease.
  if (own_holder_)
    if (auto r = hold_lease(leases_); !r)
      return r.error();
  // IMMEDIATE takes the write lock now: no other process can reserve between
  // our sum and our insert (they wait, up to the busy timeout).
  return db.transaction([&]() -> result<reservation_grant> {
    if (auto r = drop_dead_holders(); !r)
      return r.error();
    reservation_grant g;
    auto spent = spent_from(ask.day_start_ms);
    if (!spent)
      return spent.error();
    auto reserved =
        sum("SELECT COALESCE(SUM(MAX(usd, 0)), 0) FROM reserved_by_holder", 0, "sum reservations");
    if (!reserved)
      return reserved.error();
    g.spent = *spent;
    g.reserved = *reserved;
    if (ask.day_limit && crosses_limit(*ask.day_limit, g.spent + g.reserved, ask.usd))
      return g;
    detail::checked_statement st{db, "INSERT INTO reservations (holder, usd) VALUES (?, ?)"};
    st.bind(1, holder_);
    st.bind(2, ask.usd);
    if (auto r = st.run("reservation"); !r)
      return r.error();
    g.id = sqlite3_last_insert_rowid(db.handle);
    return g;
  });
}

result<void> sqlite_ledger::release(int64_t id) {
  detail::checked_statement st{db, "DELETE FROM reservations WHERE id = ?"};
  st.bind(1, id);
  return st.run("release");
}

result<void> sqlite_ledger::settle(int64_t id, const stored_call* call) {
  return db.retry_when_busy([&] {
    std::lock_guard<std::mutex> guard{mutex_};
    return db.transaction([&]() -> result<void> {
      if (auto r = release(id); !r)
        return r;
      return call ? insert(*call) : result<void>{};
    });
  });
}

result<void> sqlite_ledger::write_all(const std::vector<ledger_write>& writes) {
  return db.retry_when_busy([&] {
    std::lock_guard<std::mutex> guard{mutex_};
    return db.transaction([&]() -> result<void> {
      for (const auto& w : writes) {
        if (w.reservation != 0)
          if (auto r = release(w.reservation); !r)
            return r;
        if (w.call)
          if (auto r = insert(*w.call); !r)
            return r;
      }
      return {};
    });
  });
}

} // namespace

result<std::unique_ptr<ledger_store>> open_sqlite_ledger(const std::filesystem::path& file,
                                                         std::string holder, sqlite_wait wait) {
  bool own = holder.empty();
  auto ledger = std::make_unique<sqlite_ledger>(own ? this_process_holder() : std::move(holder),
                                                own, lease_dir(file));
  if (auto opened = ledger->db.open(file, wait.busy); !opened)
    return opened.error();
  ledger->db.wait = std::move(wait);
  // Setting up a new file takes an exclusive lock, which SQLite may refuse at once rather than
  // wait for (another process turning on WAL at the same moment): tried again like a record.
  auto& db = ledger->db;
  if (auto r = db.retry_when_busy([&] { return db.exec(schema, "set up"); }); !r)
    return make_failure(errc::io_error, "ledger: cannot set up " + file.string() + ": "
                                            + sqlite3_errmsg(ledger->db.handle));
  // Reservations of live processes, summed per holder (detail/derived.hpp): not a scan of
  // every open one for each reservation.
  for (const auto& t :
       {spend_by_day(), detail::reservation_sums("reserved_by_holder", "reservations", {"holder"})})
    if (auto r = db.retry_when_busy([&] { return detail::ensure_derived(db, t); }); !r)
      return r.error();
  return std::unique_ptr<ledger_store>{std::move(ledger)};
}

} // namespace et::store
