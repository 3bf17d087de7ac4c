#pragma once
/// A prepared SQLite statement that finalizes itself; private to et/context.

#include <cstdint>
#include <sqlite3.h>
#include <string>
#include <string_view>

namespace et::context::detail {

/// One prepared statement; `ok()` is false when preparing failed.
class statement {
public:
  /// Prepares `sql` on `db`.
  statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &st_, nullptr); }
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
  /// Binds text to parameter `i` (1-based).
  void bind(int i, std::string_view text) {
    sqlite3_bind_text(st_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  /// Binds an integer to parameter `i` (1-based).
  void bind(int i, int64_t value) { sqlite3_bind_int64(st_, i, value); }
  /// Runs one step: SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(st_); }
  /// Column `i` of the current row as text.
  std::string text(int i) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(st_, i));
    return p ? std::string{p, static_cast<size_t>(sqlite3_column_bytes(st_, i))} : std::string{};
  }
  /// Column `i` of the current row as an integer.
  int64_t integer(int i) const { return sqlite3_column_int64(st_, i); }
  /// Column `i` of the current row as a double.
  double real(int i) const { return sqlite3_column_double(st_, i); }

private:
  sqlite3_stmt* st_ = nullptr;
};

} // namespace et::context::detail
