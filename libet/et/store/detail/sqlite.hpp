#pragma once
/// What et's SQLite files share (the ledger, gateway keys, the retrieval index): opening a
/// database only this user can read, and a prepared statement that finalizes itself.
/// Internal to libet: included by .cpp files only, never by a public header.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <string_view>

#include "et/util/result.hpp"

namespace et::store::detail {

/// Opens (creating) `file` for this user only: its folder 0700, the file made 0600 before
/// SQLite opens it (SQLite gives its -wal, -shm and -journal files the database's mode),
/// and a 5 s wait for other processes' writes. `what` starts every error ("ledger").
result<sqlite3*> open_private_database(const std::filesystem::path& file, std::string_view what);

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
  ~statement() { sqlite3_finalize(st_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  /// Whether the statement was prepared.
  bool ok() const { return st_ != nullptr; }
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

private:
  sqlite3_stmt* st_ = nullptr;
};

} // namespace et::store::detail
