#include "et/store/ledger_store.hpp"

#include <map>
#include <mutex>
#include <sqlite3.h>

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

class memory_ledger : public ledger_store {
public:
  result<void> append(const stored_call& call) override {
    std::lock_guard<std::mutex> guard{mutex_};
    calls_.push_back(call);
    // As the sqlite ledger keeps it: a lie from upstream is not kept.
    calls_.back().call.tokens = plausible(call.call.tokens);
    calls_.back().call.usd = plausible_usd(call.call.usd);
    return {};
  }

  result<std::vector<stored_call>> since(int64_t unix_ms) const override {
    std::lock_guard<std::mutex> guard{mutex_};
    std::vector<stored_call> out;
    for (const auto& c : calls_)
      if (c.call.unix_ms >= unix_ms)
        out.push_back(c);
    return out;
  }

  result<double> spent_since(int64_t unix_ms) const override {
    std::lock_guard<std::mutex> guard{mutex_};
    double usd = 0;
    for (const auto& c : calls_)
      if (c.call.unix_ms >= unix_ms && c.call.usd)
        usd += *c.call.usd;
    return usd;
  }

  result<reservation_grant> reserve(const reservation_ask& ask) override {
    std::lock_guard<std::mutex> guard{mutex_};
    reservation_grant g;
    for (const auto& c : calls_)
      if (c.call.unix_ms >= ask.day_start_ms && c.call.usd)
        g.spent += *c.call.usd;
    for (const auto& [id, usd] : reservations_)
      g.reserved += usd;
    if (ask.day_limit && crosses_limit(*ask.day_limit, g.spent + g.reserved, ask.usd))
      return g;
    g.id = next_id_++;
    reservations_[g.id] = ask.usd;
    return g;
  }

  result<void> settle(int64_t id, const stored_call* call) override {
    std::lock_guard<std::mutex> guard{mutex_};
    reservations_.erase(id);
    if (call)
      calls_.push_back(*call);
    return {};
  }

private:
  mutable std::mutex mutex_;
  std::vector<stored_call> calls_;
  std::map<int64_t, double> reservations_;
  int64_t next_id_ = 1;
};

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

class sqlite_ledger : public ledger_store {
public:
  sqlite_ledger(sqlite3* db, std::string holder) : db_(db), holder_(std::move(holder)) {}
  ~sqlite_ledger() override { sqlite3_close(db_); }
  sqlite_ledger(const sqlite_ledger&) = delete;
  sqlite_ledger& operator=(const sqlite_ledger&) = delete;

  result<void> append(const stored_call& c) override;
  result<std::vector<stored_call>> since(int64_t unix_ms) const override;
  result<double> spent_since(int64_t unix_ms) const override;
  result<reservation_grant> reserve(const reservation_ask& ask) override;
  result<void> settle(int64_t id, const stored_call* call) override;

private:
  result<void> insert(const stored_call& c);
  result<void> exec(const char* sql, const char* what);
  result<double> sum(const char* sql, int64_t arg, const char* what) const;
  result<void> drop_dead_holders();

  failure error(const char* what) const {
    return make_failure(errc::io_error,
                        std::string{"ledger: "} + what + ": " + sqlite3_errmsg(db_));
  }

  mutable std::mutex mutex_;
  sqlite3* db_;
  std::string holder_;
};

result<void> sqlite_ledger::append(const stored_call& c) {
  std::lock_guard<std::mutex> guard{mutex_};
  return insert(c);
}

result<void> sqlite_ledger::insert(const stored_call& c) {
  sqlite3_stmt* st = nullptr;
  const char* sql = "INSERT INTO calls (run_id, unix_ms, role, alias, provider, model, "
                    "prompt_tokens, completion_tokens, cache_read_tokens, cache_write_tokens, "
                    "reasoning_tokens, usd, ok, latency_ms, attempt, outcome) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK)
    return error("prepare insert");
  const auto& k = c.call;
  auto text = [&](int i, const std::string& s) {
    sqlite3_bind_text(st, i, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  };
  text(1, c.run_id);
  sqlite3_bind_int64(st, 2, k.unix_ms);
  text(3, k.role);
  text(4, k.alias);
  text(5, k.provider);
  text(6, k.model);
  // A lie from upstream is not kept: implausible counts are stored as 0 and
  // an implausible cost as unknown.
  auto tokens = plausible(k.tokens);
  sqlite3_bind_int64(st, 7, tokens.prompt_tokens);
  sqlite3_bind_int64(st, 8, tokens.completion_tokens);
  sqlite3_bind_int64(st, 9, tokens.cache_read_tokens);
  sqlite3_bind_int64(st, 10, tokens.cache_write_tokens);
  sqlite3_bind_int64(st, 11, tokens.reasoning_tokens);
  if (auto usd = plausible_usd(k.usd))
    sqlite3_bind_double(st, 12, *usd);
  else
    sqlite3_bind_null(st, 12);
  sqlite3_bind_int(st, 13, k.ok ? 1 : 0);
  sqlite3_bind_int64(st, 14, k.latency.count());
  sqlite3_bind_int(st, 15, k.attempt);
  text(16, k.outcome);
  auto rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return error("insert");
  return {};
}

result<std::vector<stored_call>> sqlite_ledger::since(int64_t unix_ms) const {
  std::lock_guard<std::mutex> guard{mutex_};
  sqlite3_stmt* st = nullptr;
  const char* sql = "SELECT run_id, unix_ms, role, alias, provider, model, prompt_tokens, "
                    "completion_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, "
                    "usd, ok, latency_ms, attempt, outcome FROM calls WHERE unix_ms >= ? "
                    "ORDER BY unix_ms, id";
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK)
    return error("prepare query");
  sqlite3_bind_int64(st, 1, unix_ms);
  auto column = [&](int i) {
    auto p = sqlite3_column_text(st, i);
    return p ? std::string{reinterpret_cast<const char*>(p)} : std::string{};
  };
  std::vector<stored_call> out;
  int rc = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    stored_call c;
    c.run_id = column(0);
    auto& k = c.call;
    k.unix_ms = sqlite3_column_int64(st, 1);
    k.role = column(2);
    k.alias = column(3);
    k.provider = column(4);
    k.model = column(5);
    // Rows written by older builds (or by hand) may hold anything.
    k.tokens = plausible(usage{sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
                               sqlite3_column_int64(st, 8), sqlite3_column_int64(st, 9),
                               sqlite3_column_int64(st, 10)});
    if (sqlite3_column_type(st, 11) != SQLITE_NULL)
      k.usd = plausible_usd(sqlite3_column_double(st, 11));
    k.ok = sqlite3_column_int(st, 12) != 0;
    k.latency = std::chrono::milliseconds{sqlite3_column_int64(st, 13)};
    k.attempt = sqlite3_column_int(st, 14);
    k.outcome = column(15);
    out.push_back(std::move(c));
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return error("query");
  return out;
}

result<double> sqlite_ledger::spent_since(int64_t unix_ms) const {
  std::lock_guard<std::mutex> guard{mutex_};
  return sum(kSpentSql, unix_ms, "sum");
}

result<double> sqlite_ledger::sum(const char* sql, int64_t arg, const char* what) const {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK)
    return error(what);
  if (sqlite3_bind_parameter_count(st) > 0)
    sqlite3_bind_int64(st, 1, arg);
  if (sqlite3_bind_parameter_count(st) > 1)
    sqlite3_bind_double(st, 2, max_usd);
  double usd = 0;
  auto rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    usd = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW)
    return error(what);
  return usd;
}

result<void> sqlite_ledger::exec(const char* sql, const char* what) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return error(what);
  return {};
}

// Reservations of processes that died (crashed, killed) before settling
// would hold budget forever; their holders are checked one by one.
result<void> sqlite_ledger::drop_dead_holders() {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT DISTINCT holder FROM reservations", -1, &st, nullptr)
      != SQLITE_OK)
    return error("prepare holders");
  std::vector<std::string> dead;
  int rc = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    auto p = sqlite3_column_text(st, 0);
    std::string holder = p ? reinterpret_cast<const char*>(p) : "";
    if (holder != holder_ && !holder_alive(holder))
      dead.push_back(std::move(holder));
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return error("holders");
  for (const auto& holder : dead) {
    if (sqlite3_prepare_v2(db_, "DELETE FROM reservations WHERE holder = ?", -1, &st, nullptr)
        != SQLITE_OK)
      return error("prepare expire");
    sqlite3_bind_text(st, 1, holder.c_str(), static_cast<int>(holder.size()), SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
      return error("expire");
  }
  return {};
}

result<reservation_grant> sqlite_ledger::reserve(const reservation_ask& ask) {
  std::lock_guard<std::mutex> guard{mutex_};
  // IMMEDIATE takes the write lock now: no other process can reserve between
  // our sum and our insert (they wait, up to the busy timeout).
  if (auto r = exec("BEGIN IMMEDIATE", "begin reservation"); !r)
    return r.error();
  auto body = [&]() -> result<reservation_grant> {
    if (auto r = drop_dead_holders(); !r)
      return r.error();
    reservation_grant g;
    auto spent = sum(kSpentSql, ask.day_start_ms, "sum");
    if (!spent)
      return spent.error();
    auto reserved = sum("SELECT COALESCE(SUM(usd), 0) FROM reservations", 0, "sum reservations");
    if (!reserved)
      return reserved.error();
    g.spent = *spent;
    g.reserved = *reserved;
    if (ask.day_limit && crosses_limit(*ask.day_limit, g.spent + g.reserved, ask.usd))
      return g;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, "INSERT INTO reservations (holder, usd) VALUES (?, ?)", -1, &st,
                           nullptr)
        != SQLITE_OK)
      return error("prepare reservation");
    sqlite3_bind_text(st, 1, holder_.c_str(), static_cast<int>(holder_.size()), SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 2, ask.usd);
    auto rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
      return error("reservation");
    g.id = sqlite3_last_insert_rowid(db_);
    return g;
  };
  auto g = body();
  if (!g) {
    exec("ROLLBACK", "rollback");
    return g;
  }
  if (auto r = exec("COMMIT", "commit reservation"); !r) {
    exec("ROLLBACK", "rollback");
    return r.error();
  }
  return g;
}

result<void> sqlite_ledger::settle(int64_t id, const stored_call* call) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (auto r = exec("BEGIN IMMEDIATE", "begin settle"); !r)
    return r;
  auto body = [&]() -> result<void> {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, "DELETE FROM reservations WHERE id = ?", -1, &st, nullptr)
        != SQLITE_OK)
      return error("prepare release");
    sqlite3_bind_int64(st, 1, id);
    auto rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
      return error("release");
    return call ? insert(*call) : result<void>{};
  };
  auto r = body();
  if (r)
    r = exec("COMMIT", "commit settle");
  if (!r)
    exec("ROLLBACK", "rollback");
  return r;
}

} // namespace

result<std::unique_ptr<ledger_store>> open_sqlite_ledger(const std::filesystem::path& file,
                                                         std::string holder) {
  auto opened = detail::open_private_database(file, "ledger");
  if (!opened)
    return opened.error();
  sqlite3* db = *opened;
  char* err = nullptr;
  if (sqlite3_exec(db, schema, nullptr, nullptr, &err) != SQLITE_OK) {
    auto msg = std::string{err ? err : "unknown error"};
    sqlite3_free(err);
    sqlite3_close(db);
    return make_failure(errc::io_error, "ledger: cannot set up " + file.string() + ": " + msg);
  }
  if (holder.empty())
    holder = this_process_holder();
  return std::unique_ptr<ledger_store>{new sqlite_ledger(db, std::move(holder))};
}

std::unique_ptr<ledger_store> make_memory_ledger() {
  return std::make_unique<memory_ledger>();
}

} // namespace et::store
