#pragma once
/// What et's SQLite files share (the ledger, gateway keys, the retrieval index): opening a
/// database only this user can read, a connection whose errors are typed (another process
/// holding the file past the wait is errc::timeout, and such writes are retried), and a
/// prepared statement that finalizes itself.
/// Internal to libet: included by .cpp files only, never by a public header.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "et/store/sqlite_wait.hpp"
#include "et/util/result.hpp"

namespace et::store::detail {

/// How long a statement that found the file locked for the `count`-th time in a row (from
/// 0) pauses before it looks again, when it may wait `busy` in all; 0 once that is spent.
/// Pauses start at 50 us and double up to 5 ms: SQLite's own handler starts at 1 ms, which
/// is ten gateway requests, for a lock that is mostly let go within a hundred us.
std::chrono::microseconds busy_pause(int count, std::chrono::milliseconds busy);

/// Opens (creating) `file` for this user only: its folder 0700, the file made 0600 before
/// SQLite opens it (SQLite gives its -wal, -shm and -journal files the database's mode),
/// and a wait of up to `busy` (busy_pause) for other processes' writes. `what` starts every
/// error ("ledger").
result<sqlite3*> open_private_database(const std::filesystem::path& file, std::string_view what,
                                       std::chrono::milliseconds busy = sqlite_wait{}.busy);

/// The lock that this process's connections to `file` take in turn for a write
/// transaction (one per file, however it is spelled). SQLite makes a writer that finds the
/// file locked sleep a millisecond and more before it looks again; writers of one process
/// (the gateway's key writer and its ledger share a file) queue here instead and go the
/// moment the last one committed. Other processes still meet the busy wait.
std::shared_ptr<std::mutex> write_turn(const std::filesystem::path& file);

/// An open database whose failures name the store and the step. Owns its handle.
struct connection {
  sqlite3* handle = nullptr;        ///< closed with the connection
  std::string name;                 ///< starts every error: "ledger", "gateway keys"
  sqlite_wait wait;                 ///< how writes wait for other processes
  std::shared_ptr<std::mutex> turn; ///< write_turn() of the file; null: none taken

  /// A connection named `name`, not open yet (open()).
  explicit connection(std::string store) : name(std::move(store)) {}
  ~connection() {
    for (auto& [sql, st] : cache_)
      sqlite3_finalize(st);
    sqlite3_close(handle);
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// The last statement's failure: errc::timeout when another process held the file
  /// (SQLITE_BUSY/SQLITE_LOCKED), else errc::io_error; with `what` and SQLite's reason.
  failure error(const char* what) const;

  /// Runs `sql`, a script of any number of statements (no results), parsed anew each time.
  result<void> exec(const char* sql, const char* what) const {
    if (sqlite3_exec(handle, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      return error(what);
    return {};
  }

  /// Runs `sql`, one statement without results, prepared once and kept (take()): for what
  /// runs with every transaction (BEGIN, COMMIT, SAVEPOINT, PRAGMA), whose parsing was a
  /// tenth of the gateway key writer's CPU.
  result<void> run(const char* sql, const char* what) const;

  /// Opens `file` (open_private_database, waiting `busy` for other processes) into this
  /// connection and joins the file's write turn.
  result<void> open(const std::filesystem::path& file, std::chrono::milliseconds busy);

  /// Runs `body` between BEGIN IMMEDIATE and COMMIT (ROLLBACK on failure) in this process's
  /// write turn of the file: every other writer of the file waits for it.
  template <class F>
  auto transaction(F&& body) const -> decltype(body()) {
    std::unique_lock<std::mutex> my_turn;
    if (turn)
      my_turn = std::unique_lock<std::mutex>{*turn};
    if (auto r = run("BEGIN IMMEDIATE", "begin"); !r)
      return r.error();
    auto out = body();
    if (out) {
      if (auto r = run("COMMIT", "commit"); !r) {
        run("ROLLBACK", "rollback");
        return r.error();
      }
    } else {
      run("ROLLBACK", "rollback");
    }
    return out;
  }

  /// Runs `once` (a write) again, as `wait` says, while it fails with errc::timeout.
  template <class F>
  auto retry_when_busy(F&& once) const -> decltype(once()) {
    auto r = once();
    for (int attempt = 1; !r && r.error().code == errc::timeout && attempt < wait.attempts;
         ++attempt) {
      pause(attempt);
      r = once();
    }
    return r;
  }

  /// A prepared statement for `sql` from this connection's cache (prepared anew when none is
  /// free); nullptr when preparing failed. Hand it back with give_back().
  sqlite3_stmt* take(const char* sql) const;
  /// Resets `st` and keeps it for the next take() of `sql` (finalizes it past the cache's
  /// bound). Parsing a statement costs more than running most of these.
  void give_back(const char* sql, sqlite3_stmt* st) const;

private:
  void pause(int attempt) const;

  static constexpr size_t max_cached = 64; // the stores use a few dozen distinct statements
  mutable std::mutex cache_mutex_;
  mutable std::unordered_multimap<std::string, sqlite3_stmt*> cache_;
};

/// One prepared statement; binds are 1-based, columns 0-based; `ok()` is false when
/// preparing failed.
class statement {
public:
  /// Prepares `sql` on `db`.
  statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK) {
      sqlite3_finalize(st_);
      st_ = nullptr;
    }
  }
  /// Adopts `st` (nullptr: not ok()).
  explicit statement(sqlite3_stmt* st) : st_(st) {}
  ~statement() { sqlite3_finalize(st_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  /// Whether the statement was prepared.
  bool ok() const { return st_ != nullptr; }
  /// How many `?` parameters it has.
  int parameters() const { return st_ ? sqlite3_bind_parameter_count(st_) : 0; }
  /// Clears bindings and rewinds, to run it again.
  void reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  /// Binds text (copied).
  void bind(int i, std::string_view s) {
    sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  /// Binds a blob (copied).
  void bind_blob(int i, const void* data, size_t n) {
    sqlite3_bind_blob(st_, i, data, static_cast<int>(n), SQLITE_TRANSIENT);
  }
  /// Binds an integer.
  void bind(int i, int64_t v) { sqlite3_bind_int64(st_, i, v); }
  /// Binds a double.
  void bind(int i, double v) { sqlite3_bind_double(st_, i, v); }
  /// Binds a value or NULL.
  template <class T>
  void bind(int i, const std::optional<T>& v) {
    if (v)
      bind(i, *v);
    else
      sqlite3_bind_null(st_, i);
  }
  /// Runs one step: SQLITE_ROW, SQLITE_DONE or an error code (SQLITE_MISUSE when not ok()).
  int step() { return st_ ? sqlite3_step(st_) : SQLITE_MISUSE; }
  /// Column `i` of the current row as text (all its bytes).
  std::string text(int i) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i));
    return p ? std::string{p, static_cast<size_t>(sqlite3_column_bytes(st_, i))} : std::string{};
  }
  /// Column `i` as bytes (a blob), valid until the next step.
  std::string_view blob(int i) const {
    auto p = static_cast<const char*>(sqlite3_column_blob(st_, i));
    return {p, static_cast<size_t>(sqlite3_column_bytes(st_, i))};
  }
  /// Column `i` as an integer.
  int64_t integer(int i) const { return sqlite3_column_int64(st_, i); }
  /// Column `i` as a double.
  double real(int i) const { return sqlite3_column_double(st_, i); }
  /// Whether column `i` is NULL.
  bool null(int i) const { return sqlite3_column_type(st_, i) == SQLITE_NULL; }
  /// Column `i` as a double, nullopt for NULL.
  std::optional<double> opt_real(int i) const {
    return null(i) ? std::nullopt : std::optional<double>{real(i)};
  }
  /// Column `i` as an integer, nullopt for NULL.
  std::optional<int64_t> opt_integer(int i) const {
    return null(i) ? std::nullopt : std::optional<int64_t>{integer(i)};
  }

protected:
  /// Gives up ownership of the handle (the destructor then finalizes nothing).
  sqlite3_stmt* release() { return std::exchange(st_, nullptr); }

private:
  sqlite3_stmt* st_ = nullptr;
};

/// A statement on a connection whose failures name what was done.
class checked_statement : public statement {
public:
  /// `sql` on `c`, from its statement cache.
  checked_statement(const connection& c, const char* sql)
      : statement(c.take(sql)), c_(c), sql_(sql) {}
  ~checked_statement() { c_.give_back(sql_.c_str(), release()); }
  checked_statement(const checked_statement&) = delete;
  checked_statement& operator=(const checked_statement&) = delete;

  /// Steps once, expecting SQLITE_DONE.
  result<void> run(const char* what) {
    if (!ok() || step() != SQLITE_DONE)
      return c_.error(what);
    return {};
  }
  /// The first column of the one row, as a double (0 for NULL).
  result<double> scalar(const char* what) {
    if (!ok() || step() != SQLITE_ROW)
      return c_.error(what);
    return real(0);
  }

private:
  const connection& c_;
  std::string sql_; // a copy: callers may pass a temporary's c_str()
};

} // namespace et::store::detail
