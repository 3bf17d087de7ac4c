#pragma once
/// The key store's SQLite connection and a small statement wrapper, shared by
/// key_store.cpp (keys) and key_budget.cpp (admissions, settles, records).

#include <cstdint>
#include <mutex>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <string_view>

#include "et/llm/errc.hpp"
#include "et/store/key_store.hpp"

namespace et::store {

struct key_store::db {
  sqlite3* handle = nullptr;
  std::string holder; ///< who holds this connection's reservations
  mutable std::mutex mutex;

  ~db() { sqlite3_close(handle); }

  /// A failure naming what was done, with SQLite's reason.
  failure error(const char* what) const {
    return make_failure(errc::io_error,
                        std::string{"gateway keys: "} + what + ": " + sqlite3_errmsg(handle));
  }

  /// Runs `sql` (no results).
  result<void> exec(const char* sql, const char* what) const {
    if (sqlite3_exec(handle, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      return error(what);
    return {};
  }

  /// Runs `body` between BEGIN IMMEDIATE and COMMIT (ROLLBACK on failure): every other
  /// process sharing the file waits for it.
  template <class F>
  auto transaction(F&& body) -> decltype(body()) {
    if (auto r = exec("BEGIN IMMEDIATE", "begin"); !r)
      return r.error();
    auto out = body();
    if (out) {
      if (auto r = exec("COMMIT", "commit"); !r) {
        exec("ROLLBACK", "rollback");
        return r.error();
      }
    } else {
      exec("ROLLBACK", "rollback");
    }
    return out;
  }
};

namespace detail {

/// One prepared statement; binds are 1-based, columns 0-based.
class statement {
public:
  statement(const key_store::db& d, const char* sql) : db_(d) {
    if (sqlite3_prepare_v2(d.handle, sql, -1, &st_, nullptr) != SQLITE_OK)
      st_ = nullptr;
  }
  ~statement() { sqlite3_finalize(st_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  bool ok() const { return st_ != nullptr; }
  void bind(int i, std::string_view s) {
    sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, int64_t v) { sqlite3_bind_int64(st_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(st_, i, v); }
  template <class T>
  void bind(int i, const std::optional<T>& v) {
    if (v)
      bind(i, *v);
    else
      sqlite3_bind_null(st_, i);
  }
  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(st_); }
  std::string text(int i) const {
    auto p = sqlite3_column_text(st_, i);
    return p ? std::string{reinterpret_cast<const char*>(p)} : std::string{};
  }
  int64_t integer(int i) const { return sqlite3_column_int64(st_, i); }
  double real(int i) const { return sqlite3_column_double(st_, i); }
  bool null(int i) const { return sqlite3_column_type(st_, i) == SQLITE_NULL; }
  std::optional<double> opt_real(int i) const {
    return null(i) ? std::nullopt : std::optional<double>{real(i)};
  }
  std::optional<int64_t> opt_integer(int i) const {
    return null(i) ? std::nullopt : std::optional<int64_t>{integer(i)};
  }

  /// Steps once, expecting SQLITE_DONE.
  result<void> run(const char* what) {
    if (!st_ || step() != SQLITE_DONE)
      return db_.error(what);
    return {};
  }
  /// The first column of the one row, as a double (0 for NULL).
  result<double> scalar(const char* what) {
    if (!st_ || step() != SQLITE_ROW)
      return db_.error(what);
    return real(0);
  }

private:
  const key_store::db& db_;
  sqlite3_stmt* st_ = nullptr;
};

} // namespace detail

} // namespace et::store
