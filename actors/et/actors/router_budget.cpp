// The router's dealings with the cost ledger: a budget reservation before each
// attempt when budgets are configured, pricing local answers, and one record
// per finished attempt that settles its reservation.

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/router_state.hpp"
#include "et/cost/cost.hpp"

namespace et::actors {

namespace {

// Asks the ledger first: a request that would cross a budget is never sent.
// Every attempt, retries included, holds a reservation while it is in flight.
void check_budget_then_send(router_pointer self, uint64_t key) {
  auto* found = self->state.jobs.find(key);
  if (!found)
    return;
  auto& j = *found;
  const auto& c = j.chain[j.index];
  size_t embed_bytes = 0;
  for (const auto& s : j.embed_inputs)
    embed_bytes += s.size();
  cost::budget_query q{j.req.role,
                       c.where.alias,
                       slot_key(c.where),
                       c.where.model,
                       j.embedding ? cost::estimate_tokens(embed_bytes)
                                   : cost::estimate_prompt_tokens(j.content),
                       j.embedding ? 0 : c.request.max_tokens.value_or(0)};
  auto index = j.index;
  self->request(self->state.ledger, caf::infinite, budget_atom::value, std::move(q))
      .then(
          [=](uint64_t reservation) {
            auto* still = self->state.jobs.find(key);
            if (still && still->index == index && still->attempt_id == 0
                && still->reservation == 0) {
              still->reservation = reservation;
              dispatch_attempt(self, key);
            } else if (reservation != 0) {
              self->send(self->state.ledger, cancel_atom::value, reservation);
            }
          },
          [=](caf::error& e) { finish(self, key, std::move(e)); });
}

} // namespace

void send_attempt(router_pointer self, uint64_t key) {
  auto* j = self->state.jobs.find(key);
  if (!self->state.ledger || !self->state.budgets || (j && j->counting))
    return dispatch_attempt(self, key);
  check_budget_then_send(self, key);
}

void release_reservation(router_pointer self, router_job& j) {
  if (j.reservation != 0 && self->state.ledger)
    self->send(self->state.ledger, cancel_atom::value, j.reservation);
  j.reservation = 0;
}

std::optional<double> price(router_pointer self, const routing::deployment& where,
                            const usage& tokens) {
  const auto& s = *self->state.settings;
  auto p = s.providers.find(where.provider);
  if (p == s.providers.end())
    return std::nullopt;
  auto a = s.models.find(where.alias);
  return cost::cost_usd(tokens,
                        self->state.prices.lookup(p->second, where.model,
                                                  a == s.models.end() ? nullptr : &a->second));
}

namespace {

// Whether the ledger records an estimate for a failed attempt: it was likely billed
// (cost::likely_billed), and by a provider of ours. An embedding's failures are not estimated,
// nor a node's: its own ledger records them.
bool estimated(const router_job& j, const routing::deployment& where, const failure& f) {
  return !j.embedding && where.node.empty() && cost::likely_billed(f, j.streamed_bytes);
}

} // namespace

void report(router_pointer self, router_job& j, const chat_response* r, const failure* f) {
  if (!self->state.ledger || j.counting) // a count is free and makes no answer: not a call
    return;
  const auto& where = j.chain[j.index].where;
  cost::call_record rec;
  rec.role = j.req.role;
  rec.alias = where.alias;
  rec.provider = slot_key(where);
  rec.model = r && !where.node.empty() ? r->model : where.model;
  if (r) {
    rec.tokens = r->tokens;
    rec.usd = r->usd; // priced in on_attempt_done (or by the node)
  } else if (f && estimated(j, where, *f)) {
    // No usage came, but the provider read the prompt and produced what it streamed: an
    // estimate, which the ledger keeps apart from reported spend and budgets count.
    rec.tokens.prompt_tokens =
        j.prompt_estimate >= 0 ? j.prompt_estimate : cost::estimate_prompt_tokens(j.content);
    rec.tokens.completion_tokens =
        j.streamed_bytes > 0 ? cost::estimate_tokens(j.streamed_bytes) : 0;
    rec.usd = price(self, where, rec.tokens);
  }
  rec.ok = f == nullptr;
  rec.latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now() - j.started);
  rec.attempt = j.tries_here;
  rec.outcome = f ? std::string{to_string(f->code)} : "ok";
  rec.unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  // The record settles the attempt's reservation (0: it had none).
  self->send(self->state.ledger, record_atom::value, j.reservation, std::move(rec));
  j.reservation = 0;
}

} // namespace et::actors
