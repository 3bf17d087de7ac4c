#pragma once
/// The ledger actor's state and the pieces its two files share: ledger.cpp (recording calls,
/// writing them in bursts, the behaviour) and ledger_budget.cpp (budget checks, reservations,
/// checks waiting for calls in flight). Private to those files.

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "caf/all.hpp"
#include "et/actors/detail/ledger_writer.hpp"
#include "et/actors/ledger.hpp"

namespace et::actors::ledger_detail {

/// A budget reservation held for an attempt in flight.
struct held {
  double usd = 0;       ///< its worst-case cost
  std::string role;     ///< who asked
  int64_t store_id = 0; ///< its row in the store (0: per_day is not set, nothing stored)
};

/// A budget check waiting for calls in flight to settle.
struct waiting_check {
  cost::budget_query query;                      ///< what was asked
  double usd = 0;                                ///< its estimate
  caf::typed_response_promise<uint64_t> promise; ///< its requester
};

/// The ledger's interface including its own flush message.
using ledger_impl = ledger_actor::extend<
    /// self -> self: write the records that wait, in one transaction.
    caf::reacts_to<flush_atom>>;

struct ledger_state {
  ledger_state() = default;
  ledger_state(const ledger_state&) = delete;
  ledger_state& operator=(const ledger_state&) = delete;
  // An actor can also end without an exit message (its last handle gone): what waits goes
  // to the writer then. Here and not in an attach_functor: CAF 0.17 destroys the state first.
  ~ledger_state() {
    if (writer)
      close_writer(pending, writer);
  }
  /// Sends `writes` and then the end to `writer`, which applies both in that order.
  static void close_writer(std::vector<store::ledger_write>& writes,
                           detail::ledger_writer_actor& writer) {
    if (!writes.empty())
      caf::anon_send(writer, flush_atom::value, std::move(writes));
    caf::anon_send(writer, drain_atom::value);
    writer = nullptr;
  }
  ledger_setup setup;
  /// The store's blocking calls, in the order they were sent (null once closed).
  detail::ledger_writer_actor writer;
  cost::summary totals;
  std::map<std::string, double> role_spent;
  std::map<uint64_t, held> reservations; ///< by the id the router holds
  /// per_day checks the store has not answered yet, by reservation id.
  std::map<uint64_t, caf::typed_response_promise<uint64_t>> asking;
  /// Checks that only money held for calls in flight keeps from fitting, oldest first: asked
  /// again as those settle, as one at a time they might all fit.
  std::deque<waiting_check> waiting;
  uint64_t next_reservation = 1;
  /// Records (and releases) not yet written: written together when the flush message, sent
  /// behind every message already waiting (and at least min_flush_gap after the last
  /// transaction), comes up. One transaction and one sync to disk per burst instead of one
  /// per record (the gateway's busiest thread was this one, syncing each record).
  std::vector<store::ledger_write> pending;
  bool flush_due = false;                    ///< the flush message is on its way
  caf::actor_clock::time_point last_flush{}; ///< when the last transaction was written
  static inline const char* name = "et.ledger";
};

using ledger_pointer = ledger_impl::stateful_pointer<ledger_state>;

/// Milliseconds since the Unix epoch (the setup's clock, else the system's).
int64_t now_ms(const ledger_state& st);

/// Sends what waits to the writer, to be written in one transaction.
void flush(ledger_pointer self);

/// Queues a write behind the messages already waiting (ledger_state::pending).
void queue_write(ledger_pointer self, store::ledger_write w);

/// The price of `model` at `provider` under `alias`, when one is known.
std::optional<cost::model_price> price_of(const ledger_state& st, const std::string& provider,
                                          const std::string& model, const std::string& alias);

/// Answers a budget check: a reservation id (0: a free call), a refusal, or later (per_day's
/// store, or a pool run's wait for calls in flight).
caf::result<uint64_t> check(ledger_pointer self, const cost::budget_query& q);

/// After a call settled or a hold went: the checks that waited are asked again, oldest first.
void recheck_waiting(ledger_pointer self);

/// Refuses check `id`: its reservation goes and its requester learns why.
void refuse(ledger_pointer self, uint64_t id, std::string why);

/// Refuses every check the store has not answered (their requesters would wait forever).
void refuse_all(ledger_pointer self, const std::string& why);

/// Refuses the checks waiting for calls in flight: the ledger stops.
void refuse_waiting(ledger_pointer self);

} // namespace et::actors::ledger_detail
