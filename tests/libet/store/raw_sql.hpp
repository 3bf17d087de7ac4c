#pragma once
/// SQL run on a store's file the way an older et or a person with sqlite3 would: over a
/// connection of its own, around the store's code (tests of the derived tables).

#include <cstdint>
#include <filesystem>
#include <sqlite3.h>
#include <string>

namespace et::test {

/// Runs `sql` (any number of statements) on `file`; SQLite's result code.
inline int raw_exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open(file.c_str(), &db);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

/// The first column of the first row of `sql` on `file` as an integer; -1 when it has none.
inline int64_t raw_integer(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  int64_t out = -1;
  if (sqlite3_open(file.c_str(), &db) == SQLITE_OK
      && sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK
      && sqlite3_step(st) == SQLITE_ROW)
    out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

} // namespace et::test
