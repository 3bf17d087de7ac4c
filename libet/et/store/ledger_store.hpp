#pragma once
/// Persistence of the cost ledger: every call, appended, and the queries
/// `et cost` and the per-day budget need. Behind a small interface so the
/// ledger actor is tested with the in-memory store and runs on SQLite.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "et/cost/summary.hpp"
#include "et/store/sqlite_wait.hpp"
#include "et/util/result.hpp"

namespace et::store {

/// A call as stored, with the run it belonged to.
struct stored_call {
  std::string run_id;     ///< the run ("" outside runs)
  cost::call_record call; ///< the call
};

/// A budget reservation asked of the store before a call is sent.
struct reservation_ask {
  double usd = 0;                  ///< the call's worst-case cost
  std::optional<double> day_limit; ///< the per_day budget (nullopt: reserve without a check)
  int64_t day_start_ms = 0;        ///< start of the budget day: calls from then on count
};

/// What the store answered: a reservation, or why not.
struct reservation_grant {
  int64_t id = 0;      ///< the reservation; 0 when refused (the limit would be crossed)
  double spent = 0;    ///< recorded spend since day_start_ms
  double reserved = 0; ///< reservations of live processes, this one's own request excluded
};

/// One write of a batch (ledger_store::write_all): releases reservation `reservation`
/// (0: none) and appends `call` (when set), as settle() and append() do.
struct ledger_write {
  int64_t reservation = 0;         ///< the reservation to release (0: none)
  std::optional<stored_call> call; ///< the call to append
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
  /// Dollars of the priced calls of run `run_id` that finished at or after `since_ms` (the
  /// run's start), by role: what a resumed run spent before.
  virtual result<std::map<std::string, double>> run_spend(const std::string& run_id,
                                                          int64_t since_ms) const = 0;
  /// In one exclusive transaction (every process sharing the store waits for it): drops the
  /// reservations of processes that are gone, then reserves `ask.usd` unless recorded spend
  /// since `ask.day_start_ms` + live reservations + `ask.usd` would exceed `ask.day_limit`.
  virtual result<reservation_grant> reserve(const reservation_ask& ask) = 0;
  /// Releases reservation `id` and appends `call` (when not null) in one transaction, so
  /// the spend is counted once, as reserved or as recorded, never both or neither.
  virtual result<void> settle(int64_t id, const stored_call* call) = 0;
  /// Applies `writes` in order in one transaction: one commit (and one sync to disk) for a
  /// burst of records instead of one each; all of them or none.
  virtual result<void> write_all(const std::vector<ledger_write>& writes) = 0;
};

/// Opens (creating as needed, parent folders included) an SQLite ledger. Its reservations
/// are held by `holder` (default: this process, see process_holder()). `wait`: how statements
/// wait for other processes and how often a record (append, settle) is retried; a record
/// that still finds the file locked fails with errc::timeout.
result<std::unique_ptr<ledger_store>> open_sqlite_ledger(const std::filesystem::path& file,
                                                         std::string holder = {},
                                                         sqlite_wait wait = {});

/// A ledger that lives in memory, for tests and dry runs.
std::unique_ptr<ledger_store> make_memory_ledger();

/// Whether `next` dollars on top of `committed` go past `limit` (reaching it is allowed).
bool crosses_limit(double limit, double committed, double next);

/// Milliseconds since the Unix epoch at the start of the current UTC day.
int64_t start_of_utc_day(int64_t unix_ms);

} // namespace et::store
