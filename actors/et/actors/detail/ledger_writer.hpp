#pragma once
/// The ledger's store, behind an actor of its own. The ledger keeps its accounts on the
/// scheduler (a record costs a message, not a thread's wake-up) and sends the store's
/// blocking work here: batches of writes and per_day reservations, in the order it sent them.

#include <memory>
#include <vector>

#include "caf/fwd.hpp"
#include "caf/replies_to.hpp"
#include "caf/typed_actor.hpp"
#include "et/actors/detail/atoms.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/store/ledger_store.hpp"

namespace et::store {

/// Inspects a stored_call (local messages only: ledger -> writer).
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_call& x) {
  return f(caf::meta::type_name("et.stored_call"), x.run_id, x.call);
}

/// Inspects a ledger_write.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ledger_write& x) {
  return f(caf::meta::type_name("et.ledger_write"), x.reservation, x.call);
}

/// Inspects a reservation_ask.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reservation_ask& x) {
  return f(caf::meta::type_name("et.reservation_ask"), x.usd, x.day_limit, x.day_start_ms);
}

/// Inspects a reservation_grant.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reservation_grant& x) {
  return f(caf::meta::type_name("et.reservation_grant"), x.id, x.spent, x.reserved);
}

} // namespace et::store

namespace et::actors::detail {

/// What the ledger asks of its store.
using ledger_writer_actor = caf::typed_actor<
    /// ledger -> writer: apply these writes in one transaction (a failure is reported once
    /// on stderr; the run goes on).
    caf::reacts_to<flush_atom, std::vector<store::ledger_write>>,
    /// ledger -> writer: reserve per_day budget (store::ledger_store::reserve).
    caf::replies_to<budget_atom, store::reservation_ask>::with<store::reservation_grant>,
    /// ledger -> writer: the ledger is done; release the reservations still held, then quit.
    caf::reacts_to<drain_atom>>;

/// Spawns the writer of `store`: on a thread of its own when `detached` (its calls block),
/// on the scheduler in tests.
ledger_writer_actor spawn_ledger_writer(caf::actor_system& sys,
                                        std::shared_ptr<store::ledger_store> store, bool detached);

} // namespace et::actors::detail
