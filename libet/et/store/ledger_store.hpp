#pragma once
/// Persistence of the cost ledger: every call, appended, and the queries
/// `et cost` and the per-day budget need. Behind a small interface so the
/// ledger actor is tested with the in-memory store and runs on SQLite.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "et/cost/summary.hpp"
#include "et/util/result.hpp"

namespace et::store {

/// A call as stored, with the run it belonged to.
struct stored_call {
  std::string run_id;     ///< the run ("" outside runs)
  cost::call_record call; ///< the call
};

/// Where ledger records live. Calls are blocking: use from a detached actor
/// or a thread, never from a scheduler thread.
class ledger_store {
public:
  virtual ~ledger_store() = default;
  /// Appends one call.
  virtual result<void> append(const stored_call& call) = 0;
  /// Calls that finished at or after `unix_ms`, oldest first.
  virtual result<std::vector<stored_call>> since(int64_t unix_ms) const = 0;
  /// Dollars of priced calls that finished at or after `unix_ms`.
  virtual result<double> spent_since(int64_t unix_ms) const = 0;
};

/// Opens (creating as needed, parent folders included) an SQLite ledger.
result<std::unique_ptr<ledger_store>> open_sqlite_ledger(const std::filesystem::path& file);

/// A ledger that lives in memory, for tests and dry runs.
std::unique_ptr<ledger_store> make_memory_ledger();

/// Milliseconds since the Unix epoch at the start of the current UTC day.
int64_t start_of_utc_day(int64_t unix_ms);

} // namespace et::store
