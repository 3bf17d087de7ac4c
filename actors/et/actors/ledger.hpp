#pragma once
/// The cost ledger actor: prices every call the router reports, keeps this
/// run's totals by role, provider and model, checks budgets before requests
/// are sent, and persists calls through a detached writer so that the store's
/// blocking I/O never runs on a scheduler thread.

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
  std::shared_ptr<store::ledger_store> store;       ///< where calls are persisted (may be null)
  std::string run_id;                               ///< stored with every call
  double spent_today = 0;                           ///< spend of earlier runs today (UTC)
  bool detached_writer = true; ///< the writer gets its own thread (tests keep it on the scheduler)
};

/// Spawns a ledger.
ledger_actor spawn_ledger(caf::actor_system& sys, ledger_setup setup);

} // namespace et::actors
