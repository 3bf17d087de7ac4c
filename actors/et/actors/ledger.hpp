#pragma once
/// The cost ledger actor: prices every call the router reports, keeps this
/// run's totals by role, provider and model, and reserves budget before each
/// attempt is sent. per_run and per_role are the run's spend (this process's, and
/// that of the processes it resumes) plus its reservations; per_day is the host's: every process
/// sharing the ledger file reserves in one SQLite transaction, so together they cannot pass it (see
/// store::ledger_store::reserve). A reservation is the attempt's worst case
/// (prompt estimated from its size, plus max_tokens, at the model's price) and
/// is settled by the attempt's record (or released when it is never sent).
/// Runs on the scheduler, so a record costs a message and not a thread's wake-up; the
/// store's blocking calls go, in order, to a writer actor with a thread of its own.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"
#include "et/cost/prices.hpp"
#include "et/store/ledger_store.hpp"

namespace et::actors {

/// What a ledger starts from.
struct ledger_setup {
  std::shared_ptr<const config::settings> settings; ///< providers, aliases, budgets
  cost::price_book prices;                          ///< built-in, file and config prices
  /// Where calls are persisted and per_day reservations are made (null: in memory).
  std::shared_ptr<store::ledger_store> store;
  std::string run_id; ///< stored with every call
  /// The ledger's store writer gets its own thread, since the store blocks (tests keep it
  /// on the scheduler).
  bool detached = true;
  /// Milliseconds since the Unix epoch, for the budget day (UTC); null: the system clock.
  std::function<int64_t()> now_ms;
  /// What the run spent before this process, by role (a resumed run: the store's run_spend).
  /// per_run and per_role count it, so a resume does not start the run's budget over.
  std::map<std::string, double> earlier_spend;
  /// A pool run's: a check that only what its calls in flight hold keeps from fitting per_run or
  /// per_role waits for them to settle (oldest first) instead of being refused. Off for a
  /// gateway, whose clients expect their 429 at once.
  bool wait_for_holds = false;
};

/// Spawns a ledger.
ledger_actor spawn_ledger(caf::actor_system& sys, ledger_setup setup);

} // namespace et::actors
