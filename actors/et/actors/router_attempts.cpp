// How an attempt ends: its answer priced, recorded and delivered, or its failure retried,
// fallen back from, or the job's end (see router_state.hpp).

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/router_state.hpp"
#include "et/cost/cost.hpp"
#include "et/llm/plausible.hpp"

namespace et::actors {

using namespace std::chrono_literals;

namespace {

// A failure kept for later: its retry delay was for that moment only.
failure without_delay(failure f) {
  f.retry_after = 0ms;
  return f;
}

} // namespace

void on_attempt_done(router_pointer self, uint64_t key, uint64_t attempt_id, chat_response r) {
  auto* found = self->state.jobs.find(key);
  if (!found || found->attempt_id != attempt_id)
    return; // cancelled or superseded
  auto j = std::move(*self->state.jobs.take(key));
  const auto& where = current(j).where;
  // A node priced its answer with its own prices; local answers are priced
  // here. A node is upstream too: what it claims is bounded before any sum.
  if (j.counting) {
    r.usd = 0.0; // counting is free
  } else if (where.node.empty()) {
    r.usd = price(self, where, r.tokens);
  } else {
    r.tokens = plausible(r.tokens);
    r.usd = plausible_usd(r.usd);
    // Its tokens at the dearest prices known here is the most a node may claim: more would
    // spend the budgets of everyone who shares this ledger.
    if (r.usd)
      r.usd = std::min(*r.usd, cost::cost_usd(r.tokens, self->state.dearest));
  }
  report(self, j, &r, nullptr);
  // A count says nothing of how the deployment answers (Anthropic limits counts apart from
  // messages): it neither ends nor feeds a cooldown.
  if (!j.counting)
    self->state.cooldowns.succeeded(where.key());
  self->state.attempts.erase(attempt_id);
  auto model = where.node.empty() ? where.model : r.model;
  // Sent before the answer: whoever the answer reaches after this (through any
  // actors) and then asks the observer finds the report there.
  if (self->state.observer && !j.fallbacks.empty() && !j.counting)
    self->send(self->state.observer, status_atom::value, fallback_report{j.req.role, j.fallbacks});
  j.promise.deliver(routed_response{std::move(r), where.alias, slot_key(where), model, j.attempts,
                                    std::move(j.fallbacks)});
}

void on_attempt_failed(router_pointer self, uint64_t key, uint64_t attempt_id, failure f) {
  auto& st = self->state;
  auto* found = st.jobs.find(key);
  if (!found || found->attempt_id != attempt_id)
    return;
  auto& j = *found;
  st.attempts.erase(attempt_id);
  j.attempt_id = 0;
  // A stream that broke before anything reached the requester (after no piece, or after
  // thinking it does not show, from a provider or a node that counted it) is a connection
  // failure like any other: retried and fallen back from.
  if (f.code == errc::stream_interrupted && j.streaming && j.next_seq == 0) {
    f.code = errc::network;
    f.message = "the stream broke before anything reached the requester: " + f.message;
  }
  const auto& where = current(j).where;
  j.billed = j.billed || cost::likely_billed(f, j.streamed_bytes);
  report(self, j, nullptr, &f);
  j.notes.push_back(where.label() + ": " + to_string(f));
  if (counts_toward_cooldown(f.code) && !j.counting) {
    st.cooldowns.failed(where.key(), self->clock().now(), f.retry_after);
    st.last_failure[where.key()] = without_delay(f);
  }
  // An upstream that named its wait (Retry-After) is back then at the earliest: if the job
  // runs out of candidates, the requester hears that time, not a guess.
  if (f.code == errc::rate_limited && f.retry_after.count() > 0) {
    auto until = self->clock().now() + f.retry_after;
    if (!j.back_at || until < *j.back_at)
      j.back_at = until;
  }
  // What a candidate lacks (json_object on Claude, counting on Ollama) says less than an
  // earlier candidate's real failure, which then stays the cause the client is told.
  if (f.code != errc::unsupported || !j.last_failed)
    j.last_failed = without_delay(f);
  // Once text reached the requester, another model cannot continue it.
  if (j.streaming && j.next_seq > 0) {
    auto passed = j.relayed_bytes > 0 ? std::to_string(j.relayed_bytes) + " bytes"
                                      : std::string{"its first pieces"};
    failure cut{errc::stream_interrupted,
                where.label() + " failed mid-answer, after " + passed
                    + " had been passed on (a model cannot continue another's answer): "
                    + to_string(f),
                0ms, f.http_status};
    return finish(self, key, to_caf(cut));
  }
  if (f.code == errc::provider_down) {
    auto& slot = slot_of(self, j);
    if (!slot.down && slot.hdl.address() == j.sent_to) {
      j.parked = true; // the exit handler restarts it and resumes us
      return;
    }
    if (!slot.down && j.tries_here < st.settings->retry.attempts)
      return send_attempt(self, key);
    return fall_back(self, key, f);
  }
  std::uniform_real_distribution<double> unit{0, 1};
  auto d = routing::decide(st.settings->retry, f, j.tries_here, unit(st.random));
  switch (d.step) {
    case routing::next_step::retry_same:
      if (st.observer && !j.counting)
        self->send(st.observer, status_atom::value,
                   retry_notice{j.req.id, j.req.role, where.label(), f.code, f.http_status,
                                d.delay.count(), j.tries_here});
      self->delayed_send(caf::actor_cast<router_impl>(self), d.delay, retry_atom::value, key);
      return;
    case routing::next_step::fall_back:
      return fall_back(self, key, f);
    case routing::next_step::fail:
      f.message = where.label() + ": " + f.message;
      return finish(self, key, to_caf(f));
  }
}

} // namespace et::actors
