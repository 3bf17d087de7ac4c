#include "et/actors/ledger.hpp"

#include <chrono>
#include <deque>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/ledger_writer.hpp"
#include "et/cost/budget.hpp"
#include "et/cost/cost.hpp"

namespace et::actors {

namespace {

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

// Takes reservation `id` back; returns its row in the store (0: none).
int64_t take(ledger_state& st, uint64_t id) {
  auto i = st.reservations.find(id);
  if (i == st.reservations.end())
    return 0;
  auto row = i->second.store_id;
  st.reservations.erase(i);
  return row;
}

void recheck_waiting(ledger_pointer self);

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

// What the run and `role` have spent (this process's calls, estimates of failed ones included,
// and those of the processes before a resume) and what is held for their calls in flight.
struct commitments {
  double run = 0;
  double role = 0;
  double run_held = 0;
  double role_held = 0;
};

commitments committed(const ledger_state& st, const std::string& role) {
  commitments c;
  c.run = st.totals.total().usd + st.totals.total().estimated_usd;
  auto r = st.role_spent.find(role);
  c.role = r == st.role_spent.end() ? 0.0 : r->second;
  for (const auto& [earlier_role, usd] : st.setup.earlier_spend) {
    c.run += usd;
    if (earlier_role == role)
      c.role += usd;
  }
  for (const auto& [id, h] : st.reservations) {
    c.run_held += h.usd;
    if (h.role == role)
      c.role_held += h.usd;
  }
  return c;
}

// Refuses check `id`: its reservation goes and its requester learns why.
void refuse(ledger_pointer self, uint64_t id, std::string why) {
  auto& st = self->state;
  if (st.reservations.erase(id) > 0)
    recheck_waiting(self); // what it held may let a waiting check through
  auto ask = st.asking.find(id);
  if (ask == st.asking.end())
    return;
  auto rp = ask->second;
  st.asking.erase(ask);
  rp.deliver(to_caf(make_failure(errc::budget_exceeded, std::move(why))));
}

// The store's answer to check `id`: a row that holds the reservation, or refused (the day's
// budget would be crossed).
void granted(ledger_pointer self, uint64_t id, const store::reservation_grant& grant) {
  auto& st = self->state;
  auto ask = st.asking.find(id);
  if (ask == st.asking.end()) { // nobody waits for it any more: the row goes back at once
    if (grant.id != 0)
      queue_write(self, {grant.id, std::nullopt});
    return;
  }
  // Held since the check: refuse() and the stop take a reservation and its ask together.
  auto& h = st.reservations[id];
  if (grant.id == 0)
    return refuse(self, id,
                  "per_day budget " + cost::format_usd(*st.setup.settings->budgets.per_day)
                      + " would be exceeded: spent today (UTC) " + cost::format_usd(grant.spent)
                      + " + in flight " + cost::format_usd(grant.reserved) + " + next ~"
                      + cost::format_usd(h.usd));
  h.store_id = grant.id;
  auto rp = std::move(ask->second);
  st.asking.erase(ask);
  rp.deliver(id);
}

enum class verdict { allowed, refused, wait };

// The run's own budgets (per_run, per_role) for `q` estimated at `usd`: allowed, refused (with
// why), or to wait when only what is held for calls in flight stands in the way.
std::pair<verdict, std::string> run_verdict(const ledger_state& st, const cost::budget_query& q,
                                            double usd) {
  auto c = committed(st, q.role);
  std::map<std::string, double> roles{{q.role, c.role}};
  auto local = st.setup.settings->budgets;
  local.per_day.reset(); // the host's, checked by the store
  auto v = cost::check_budget(local, c.run, 0, roles, q.role, usd, c.run_held, c.role_held);
  if (v.allowed)
    return {verdict::allowed, {}};
  bool holding = c.run_held > 0 || c.role_held > 0;
  if (st.setup.wait_for_holds && holding
      && cost::check_budget(local, c.run, 0, roles, q.role, usd).allowed)
    return {verdict::wait, {}};
  return {verdict::refused, v.reason};
}

// Holds `usd` for a call of `role` and gives its requester the reservation, once per_day (the
// store's, shared with other processes) allows it.
void reserve(ledger_pointer self, double usd, const std::string& role,
             caf::typed_response_promise<uint64_t> rp) {
  auto& st = self->state;
  const auto& budgets = st.setup.settings->budgets;
  // Budgets cap money: when the ledger cannot tell, the call is not made.
  if (budgets.per_day && !st.writer) {
    rp.deliver(to_caf(make_failure(
        errc::budget_exceeded, "per_day budget cannot be checked: the ledger's store stopped")));
    return;
  }
  auto id = st.next_reservation++;
  // Held from now on, so a check that comes while the store decides counts it.
  st.reservations[id] = held{usd, role, 0};
  if (!budgets.per_day) {
    rp.deliver(id);
    return;
  }
  flush(self); // the writer takes the records still waiting first: today's spend has them
  st.asking.emplace(id, rp);
  self->request(st.writer, caf::infinite, budget_atom::value,
                store::reservation_ask{usd, *budgets.per_day, store::start_of_utc_day(now_ms(st))})
      .then([=](const store::reservation_grant& grant) { granted(self, id, grant); },
            [=](caf::error& e) {
              refuse(self, id, "per_day budget cannot be checked: " + from_caf(e).message);
            });
}

// After a call settled: the checks that waited for it are asked again, oldest first.
void recheck_waiting(ledger_pointer self) {
  auto& st = self->state;
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  bool blocked = false; // one still waits: those behind it wait too
  for (auto& w : waiting) {
    auto [v, why] = run_verdict(st, w.query, w.usd);
    blocked = blocked || v == verdict::wait;
    if (v != verdict::refused && blocked)
      st.waiting.push_back(std::move(w));
    else if (v == verdict::refused)
      w.promise.deliver(to_caf(make_failure(errc::budget_exceeded, std::move(why))));
    else
      reserve(self, w.usd, w.query.role, std::move(w.promise));
  }
}

caf::result<uint64_t> check(ledger_pointer self, const cost::budget_query& q) {
  auto& st = self->state;
  auto price = price_of(st, q.provider, q.model, q.alias);
  // An unpriced model cannot be held to a dollar budget; the summary marks it.
  auto usd = price ? cost::estimate_request_usd(*price, q.prompt_tokens, q.max_tokens) : 0.0;
  if (usd <= 0)
    return uint64_t{0}; // free calls cross no budget and need no reservation
  auto [v, why] = run_verdict(st, q, usd);
  if (v == verdict::refused)
    return to_caf(make_failure(errc::budget_exceeded, std::move(why)));
  auto rp = self->make_response_promise<uint64_t>();
  if (v == verdict::allowed && st.waiting.empty()) {
    reserve(self, usd, q.role, rp);
    return rp;
  }
  // Behind the older ones that wait: oldest first, so later and smaller checks cannot keep
  // passing one that waits.
  st.waiting.push_back(waiting_check{q, usd, rp});
  if (v == verdict::allowed)
    recheck_waiting(self);
  return rp;
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

// Refuses every check the store has not answered (their requesters would wait forever).
void refuse_all(ledger_pointer self, const std::string& why) {
  while (!self->state.asking.empty())
    refuse(self, self->state.asking.begin()->first, why);
}

// Refuses the checks waiting for calls in flight: the ledger stops.
void refuse_waiting(ledger_pointer self) {
  for (auto& w : self->state.waiting)
    w.promise.deliver(to_caf(
        make_failure(errc::budget_exceeded, "the budget cannot be checked: et is stopping")));
  self->state.waiting.clear();
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
