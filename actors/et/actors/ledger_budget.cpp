// The ledger's budget checks: per_run and per_role against what the run spent and holds,
// per_day through the store (shared by every process on the host), and in a pool run the
// checks that wait for calls in flight to settle.
#include <utility>

#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/ledger_state.hpp"
#include "et/cost/budget.hpp"
#include "et/cost/cost.hpp"

namespace et::actors::ledger_detail {

namespace {

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

} // namespace

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

} // namespace et::actors::ledger_detail
