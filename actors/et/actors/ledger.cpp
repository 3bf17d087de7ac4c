#include "et/actors/ledger.hpp"

#include <chrono>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/ledger_state.hpp"
#include "et/cost/cost.hpp"

namespace et::actors {

namespace ledger_detail {

int64_t now_ms(const ledger_state& st) {
  if (st.setup.now_ms)
    return st.setup.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The shortest time between two transactions. A record that comes sooner waits for the
// rest of it, so a steady stream of requests costs at most 100 syncs a second: at C=1 (a
// burst of one) the gateway's ledger synced every record. The price: a crash loses at most
// this much more of the records in hand.
constexpr auto min_flush_gap = std::chrono::milliseconds{10};

// Sends what waits to the writer, to be written in one transaction.
void flush(ledger_pointer self) {
  auto& st = self->state;
  st.flush_due = false;
  if (st.pending.empty() || !st.writer)
    return; // no transaction: the gap does not start again
  st.last_flush = self->clock().now();
  auto writes = std::move(st.pending);
  st.pending.clear();
  self->send(st.writer, flush_atom::value, std::move(writes));
}

// Queues a write behind the messages already waiting and the rest of min_flush_gap (see
// ledger_state::pending).
void queue_write(ledger_pointer self, store::ledger_write w) {
  auto& st = self->state;
  if (!st.writer)
    return; // the store stopped (writer_down): nothing is written any more, nothing piles up
  st.pending.push_back(std::move(w));
  if (st.flush_due)
    return;
  st.flush_due = true;
  auto me = caf::actor_cast<ledger_impl>(self);
  auto wait = st.last_flush + min_flush_gap - self->clock().now();
  if (wait <= caf::timespan{0})
    self->send(me, flush_atom::value);
  else
    self->delayed_send(me, wait, flush_atom::value);
}

std::optional<cost::model_price> price_of(const ledger_state& st, const std::string& provider,
                                          const std::string& model, const std::string& alias) {
  const auto& s = *st.setup.settings;
  auto p = s.providers.find(provider);
  if (p == s.providers.end())
    return std::nullopt;
  auto a = s.models.find(alias);
  return st.setup.prices.lookup(p->second, model, a == s.models.end() ? nullptr : &a->second);
}

} // namespace ledger_detail

namespace {

using namespace ledger_detail;

// Takes reservation `id` back; returns its row in the store (0: none).
int64_t take(ledger_state& st, uint64_t id) {
  auto i = st.reservations.find(id);
  if (i == st.reservations.end())
    return 0;
  auto row = i->second.store_id;
  st.reservations.erase(i);
  return row;
}

void record(ledger_pointer self, uint64_t reservation, cost::call_record call) {
  auto& st = self->state;
  // The router priced every answer already (a node's router for "@node"
  // calls, with that host's prices); a record without a cost is priced here.
  if (!call.usd)
    call.usd = cost::cost_usd(call.tokens, price_of(st, call.provider, call.model, call.alias));
  // A failed call that used no tokens cost nothing, whether or not its model
  // has a known price; an answer without usage stays unpriced.
  if (!call.ok && !call.usd && call.tokens == usage{})
    call.usd = 0.0;
  if (call.usd)
    st.role_spent[call.role] += *call.usd;
  st.totals.add(call);
  auto row = take(st, reservation);
  // Release and record in one transaction: the spend is never counted twice or not at all.
  queue_write(self, {row, store::stored_call{st.setup.run_id, std::move(call)}});
  if (reservation != 0)
    recheck_waiting(self);
}

void release(ledger_pointer self, uint64_t reservation) {
  auto& st = self->state;
  auto row = take(st, reservation);
  if (row != 0)
    queue_write(self, {row, std::nullopt});
  recheck_waiting(self);
}

cost::cost_report report(const ledger_state& st) {
  const auto& t = st.totals.total();
  return cost::cost_report{t.usd,
                           t.requests,
                           t.failures,
                           t.prompt_tokens,
                           t.completion_tokens,
                           t.unpriced_requests,
                           cost::render_table(st.totals),
                           t.estimated_usd,
                           t.estimated_requests};
}

// The writer ended on its own (it only quits when told, so it failed): spend is no longer
// persisted and per_day cannot be checked; the run goes on with its totals in memory.
void writer_down(ledger_pointer self, const caf::down_msg& m) {
  auto& st = self->state;
  if (!st.writer || m.source != st.writer.address())
    return;
  st.writer = nullptr;
  st.pending.clear();
  caf::aout(self) << "et: warning: the ledger's store stopped (" << to_string(m.reason)
                  << "); spend is no longer persisted, and its per_day reservations stay held "
                     "until this process ends\n";
  refuse_all(self, "per_day budget cannot be checked: the ledger's store stopped");
}

ledger_impl::behavior_type ledger(ledger_pointer self, ledger_setup setup) {
  self->state.setup = std::move(setup);
  // Without a file the day's spend and reservations are this process's, in memory.
  if (!self->state.setup.store)
    self->state.setup.store = store::make_memory_ledger();
  auto& st = self->state;
  // The writer holds the store alone, so the store is closed on its thread.
  st.writer =
      detail::spawn_ledger_writer(self->system(), std::move(st.setup.store), st.setup.detached);
  self->monitor(st.writer);
  self->set_down_handler([self](caf::down_msg& m) { writer_down(self, m); });
  // Reservations still held when the ledger is stopped (a run cut short) are released by the
  // writer as it closes, after what waits is written; those of a process that dies are
  // dropped by the next process that reserves.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    refuse_waiting(self); // first: a refusal below frees a hold, which would let one through
    refuse_all(self, "per_day budget cannot be checked: the ledger stopped");
    self->state.reservations.clear();
    if (self->state.writer)
      ledger_state::close_writer(self->state.pending, self->state.writer);
    self->quit(msg.reason);
  });
  return {
      [=](record_atom, cost::call_record& call) { record(self, 0, std::move(call)); },
      [=](record_atom, uint64_t reservation, cost::call_record& call) {
        record(self, reservation, std::move(call));
      },
      [=](budget_atom, const cost::budget_query& q) { return check(self, q); },
      [=](cancel_atom, uint64_t reservation) { release(self, reservation); },
      [=](summary_atom) { return report(self->state); },
      [=](flush_atom) { flush(self); },
  };
}

} // namespace

ledger_actor spawn_ledger(caf::actor_system& sys, ledger_setup setup) {
  return sys.spawn(ledger, std::move(setup));
}

} // namespace et::actors
