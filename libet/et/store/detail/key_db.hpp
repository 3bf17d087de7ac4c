#pragma once
/// The key store's SQLite connection, shared by key_store.cpp (keys) and key_budget.cpp
/// (admissions, settles, records).

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "et/store/detail/sqlite.hpp"
#include "et/store/key_store.hpp"

namespace et::store {

struct key_store::db : detail::connection {
  std::string holder;           ///< who holds this connection's reservations
  std::filesystem::path leases; ///< the folder of holders' leases (lease_dir)
  /// `holder` is this process, which takes its lease (hold_lease) before it reserves; a holder
  /// the caller gave is not.
  bool own_holder = false;
  mutable std::mutex mutex;
  mutable std::optional<bool> full_sync; ///< PRAGMA synchronous = FULL set (nullopt: unknown)

  db() : connection("gateway keys") {}
};

namespace detail {

/// Makes the tables that triggers keep from the records and reservations (key_spend,
/// key_spend_total, key_changes, key_reserved) where the file has not got them yet
/// (key_tables.cpp).
result<void> ensure_derived_tables(const key_store::db& d);

/// The columns read_key reads, in its order.
constexpr const char* key_columns =
    "name, created_ms, budget_day, budget_total, models, rpm, tpm, revoked";

/// A key's `--models` list as stored: comma-separated names, empty ones skipped.
std::vector<std::string> split_models(const std::string& text);

/// Key `name`'s recorded spend on the UTC days from the one starting at `day_ms` (0: ever).
result<double> spent_since(const key_store::db& d, const std::string& name, int64_t day_ms);

/// The key in the row `st` stands on, whose key_columns start at column `first`.
key_info read_key(const checked_statement& st, int first);

} // namespace detail

} // namespace et::store
