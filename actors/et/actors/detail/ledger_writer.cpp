#include "et/actors/detail/ledger_writer.hpp"

#include <set>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"

namespace et::actors::detail {

namespace {

struct writer_state {
  std::shared_ptr<store::ledger_store> store;
  /// Reservations granted and not yet released by a write: released when the ledger is
  /// done, including one whose grant the ledger never saw (it stopped while asking).
  std::set<int64_t> held;
  bool warned = false; ///< a failed write was reported
  static inline const char* name = "et.ledger_writer";
};

using writer_pointer = ledger_writer_actor::stateful_pointer<writer_state>;

// A failed write is reported once on stderr and the run goes on (losing the
// ledger must not lose the work).
void warn_once(writer_pointer self, const failure& f) {
  if (self->state.warned)
    return;
  self->state.warned = true;
  caf::aout(self) << "et: warning: " << f.message << "\n";
}

void write(writer_pointer self, const std::vector<store::ledger_write>& writes) {
  if (auto r = self->state.store->write_all(writes); !r)
    return warn_once(self, r.error()); // all or none: the rows are still held, released at the end
  for (const auto& w : writes)
    self->state.held.erase(w.reservation);
}

caf::result<store::reservation_grant> reserve(writer_pointer self,
                                              const store::reservation_ask& ask) {
  auto grant = self->state.store->reserve(ask);
  if (!grant)
    return to_caf(grant.error());
  if (grant->id != 0)
    self->state.held.insert(grant->id);
  return *grant;
}

void finish(writer_pointer self) {
  for (auto id : self->state.held)
    (void)self->state.store->settle(id, nullptr);
  self->state.held.clear();
  self->quit();
}

ledger_writer_actor::behavior_type writer(writer_pointer self,
                                          std::shared_ptr<store::ledger_store> store) {
  self->state.store = std::move(store);
  return {
      [=](flush_atom, const std::vector<store::ledger_write>& writes) { write(self, writes); },
      [=](budget_atom, const store::reservation_ask& ask) { return reserve(self, ask); },
      [=](drain_atom) { finish(self); },
  };
}

} // namespace

ledger_writer_actor spawn_ledger_writer(caf::actor_system& sys,
                                        std::shared_ptr<store::ledger_store> store, bool detached) {
  if (detached)
    return sys.spawn<caf::detached>(writer, std::move(store));
  return sys.spawn(writer, std::move(store));
}

} // namespace et::actors::detail
