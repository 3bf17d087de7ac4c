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
#include "et/store/detail/sqlite.hpp"
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

/// A statement on the key store's connection whose failures name what was done.
class key_statement : public statement {
public:
  /// Prepares `sql` on `d`'s connection.
  key_statement(const key_store::db& d, const char* sql) : statement(d.handle, sql), db_(d) {}

  /// Steps once, expecting SQLITE_DONE.
  result<void> run(const char* what) {
    if (!ok() || step() != SQLITE_DONE)
      return db_.error(what);
    return {};
  }
  /// The first column of the one row, as a double (0 for NULL).
  result<double> scalar(const char* what) {
    if (!ok() || step() != SQLITE_ROW)
      return db_.error(what);
    return real(0);
  }

private:
  const key_store::db& db_;
};

} // namespace detail

} // namespace et::store
