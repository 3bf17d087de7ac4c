#include "et/actors/ledger.hpp"

#include "caf/all.hpp"
#include "et/actors/errors.hpp"
#include "et/actors/inspect.hpp"
#include "et/cost/budget.hpp"
#include "et/cost/cost.hpp"

namespace et::actors {

namespace {

/// ledger -> writer: persist one call of run `run_id`.
using writer_actor = caf::typed_actor<caf::reacts_to<record_atom, std::string, cost::call_record>>;

struct ledger_state {
  ledger_setup setup;
  cost::summary totals;
  std::map<std::string, double> role_spent;
  writer_actor writer;
  static inline const char* name = "et.ledger";
};

using ledger_pointer = ledger_actor::stateful_pointer<ledger_state>;

// Appends to the store on its own thread; a failed write is reported once
// on stderr and the run goes on (losing the ledger must not lose the work).
writer_actor::behavior_type ledger_writer(writer_actor::pointer self,
                                          std::shared_ptr<store::ledger_store> store) {
  auto warned = std::make_shared<bool>(false);
  return {
      [=](record_atom, const std::string& run_id, const cost::call_record& call) {
        auto r = store->append(store::stored_call{run_id, call});
        if (!r && !*warned) {
          *warned = true;
          caf::aout(self) << "et: warning: " << r.error().message << "\n";
        }
      },
  };
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

void record(ledger_pointer self, cost::call_record call) {
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
  if (st.writer)
    self->send(st.writer, record_atom::value, st.setup.run_id, call);
}

caf::result<bool> check(ledger_pointer self, const cost::budget_query& q) {
  auto& st = self->state;
  const auto& budgets = st.setup.settings->budgets;
  auto price = price_of(st, q.provider, q.model, q.alias);
  // An unpriced model cannot be held to a dollar budget; the summary marks it.
  auto next = price ? cost::estimate_request_usd(*price, q.prompt_tokens, q.max_tokens) : 0.0;
  auto run_spent = st.totals.total().usd;
  auto verdict = cost::check_budget(budgets, run_spent, st.setup.spent_today + run_spent,
                                    st.role_spent, q.role, next);
  if (verdict.allowed)
    return true;
  return to_caf(make_failure(errc::budget_exceeded, verdict.reason));
}

cost::cost_report report(const ledger_state& st) {
  const auto& t = st.totals.total();
  return cost::cost_report{t.usd,
                           t.requests,
                           t.failures,
                           t.prompt_tokens,
                           t.completion_tokens,
                           t.unpriced_requests,
                           cost::render_table(st.totals)};
}

ledger_actor::behavior_type ledger(ledger_pointer self, ledger_setup setup) {
  self->state.setup = std::move(setup);
  auto& st = self->state;
  if (st.setup.store && st.setup.detached_writer)
    st.writer = self->spawn<caf::detached + caf::linked>(ledger_writer, st.setup.store);
  else if (st.setup.store)
    st.writer = self->spawn<caf::linked>(ledger_writer, st.setup.store);
  return {
      [=](record_atom, cost::call_record& call) { record(self, std::move(call)); },
      [=](budget_atom, const cost::budget_query& q) { return check(self, q); },
      [=](summary_atom) { return report(self->state); },
  };
}

} // namespace

ledger_actor spawn_ledger(caf::actor_system& sys, ledger_setup setup) {
  return sys.spawn(ledger, std::move(setup));
}

} // namespace et::actors
