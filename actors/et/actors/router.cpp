#include "et/actors/router.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/error_cause.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/router_state.hpp"
#include "et/cost/reports.hpp"
#include "et/llm/plausible.hpp"
#include "et/routing/balance.hpp"
#include "et/util/text.hpp"

namespace et::actors {

namespace {

using namespace std::chrono_literals;

routing::clock::time_point now(router_pointer self) {
  return self->clock().now();
}

// Records that the job passes over its current candidate because of `f`;
// whoever is tried next fills in `to` (dispatch_attempt).
void note_fallback(router_job& j, const failure& f, bool skipped) {
  j.fallbacks.push_back(fallback_taken{fallback_name(current(j).where), "", f.code, f.http_status,
                                       skipped, f.message});
}

// Every candidate was passed over or failed: say why, and when the first
// cooling deployment comes back so the caller can decide to wait.
void exhausted(router_pointer self, uint64_t key) {
  auto* found = self->state.jobs.find(key);
  if (!found)
    return;
  auto& j = *found;
  failure f{errc::all_failed, {}, 0ms, 0};
  f.message = "every candidate of role \"" + j.req.role + "\" failed: " + join(j.notes, "; ");
  if (j.back_at) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*j.back_at - now(self));
    f.retry_after = std::max(wait, 0ms);
  }
  if (j.last_failed)
    return finish(self, key,
                  to_caf(f, error_cause{j.last_failed->code, j.last_failed->http_status}));
  finish(self, key, to_caf(f));
}

} // namespace

const routing::candidate& current(const router_job& j) {
  return j.chain[j.index];
}

chat_request attempt_request(const router_job& j) {
  auto r = current(j).request;
  r.messages = j.content.messages;
  r.tools = j.content.tools;
  return r;
}

provider_slot& slot_of(router_pointer self, const router_job& j) {
  return self->state.providers[slot_key(current(j).where)];
}

void fall_back(router_pointer self, uint64_t key, const failure& why) {
  auto* j = self->state.jobs.find(key);
  if (!j)
    return;
  note_fallback(*j, why, false);
  ++j->index;
  j->tries_here = 0;
  try_current(self, key);
}

namespace {

// Whether the candidate can take an attempt now; otherwise notes why not.
bool usable(router_pointer self, router_job& j) {
  const auto& where = current(j).where;
  auto slot = self->state.providers.find(slot_key(where));
  if (slot == self->state.providers.end() || slot->second.down) {
    j.notes.push_back(where.label() + ": provider is down");
    note_fallback(j, make_failure(errc::provider_down, "provider is down"), true);
    return false;
  }
  if (auto until = self->state.cooldowns.cooling_until(where.key(), now(self))) {
    // Which candidate comes back when: a caller (the gateway's 429) can say so.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*until - now(self));
    j.notes.push_back(where.label() + ": cooling down for another "
                      + std::to_string((std::max<int64_t>(left.count(), 0) + 999) / 1000) + "s");
    // Skipped for a failure of an earlier request: that failure is the reason.
    auto last = self->state.last_failure.find(where.key());
    note_fallback(j,
                  last != self->state.last_failure.end()
                      ? last->second
                      : make_failure(errc::overloaded, "cooling down"),
                  true);
    if (!j.back_at || *until < *j.back_at)
      j.back_at = until;
    return false;
  }
  return true;
}

} // namespace

void finish(router_pointer self, uint64_t key, caf::error err) {
  auto j = self->state.jobs.take(key);
  if (!j)
    return;
  release_reservation(self, *j);
  self->state.attempts.erase(j->attempt_id);
  if (j->billed && err.category() == error_category) {
    // Its requester learns, typed, that the failure may still have cost something.
    auto f = from_caf(err);
    f.billed = true;
    f.unsent = false; // of the last attempt only: the request as a whole reached a provider
    auto cause = cause_of(err);
    err = cause ? to_caf(f, *cause) : to_caf(f);
  }
  if (j->embedding)
    j->embed_promise.deliver(std::move(err));
  else
    j->promise.deliver(std::move(err));
}

void try_current(router_pointer self, uint64_t key) {
  auto* found = self->state.jobs.find(key);
  if (!found)
    return;
  auto& j = *found;
  while (j.index < j.chain.size() && !usable(self, j)) {
    ++j.index;
    j.tries_here = 0;
  }
  if (j.index >= j.chain.size())
    return exhausted(self, key);
  send_attempt(self, key);
}

void dispatch_attempt(router_pointer self, uint64_t key) {
  auto& st = self->state;
  auto* found = st.jobs.find(key);
  if (!found)
    return;
  auto& j = *found;
  auto& slot = slot_of(self, j);
  auto aid = st.next_attempt++;
  j.attempt_id = aid;
  j.sent_to = slot.hdl.address();
  j.started = now(self);
  j.deadline = j.started + slot.settings.timeout.total + attempt_margin;
  watch(self);
  ++j.attempts;
  ++j.tries_here;
  j.streamed_bytes = 0;
  st.attempts[aid] = key;
  for (auto& f : j.fallbacks)
    if (f.to.empty())
      f.to = fallback_name(current(j).where);
  // The provider enforces the HTTP timeouts; the watchdog (j.deadline) only
  // catches a provider that never answers at all.
  if (j.embedding)
    return dispatch_embed(self, key, slot, aid);
  auto on_ok = [=](chat_response& r) { on_attempt_done(self, key, aid, std::move(r)); };
  auto on_err = [=](caf::error& e) { on_attempt_failed(self, key, aid, from_caf(e)); };
  if (j.counting)
    self->request(slot.hdl, caf::infinite, count_atom::value, aid, attempt_request(j))
        .then(on_ok, on_err);
  else if (j.streaming)
    self->request(slot.hdl, caf::infinite, stream_atom::value, aid, attempt_request(j))
        .then(on_ok, on_err);
  else
    self->request(slot.hdl, caf::infinite, complete_atom::value, aid, attempt_request(j))
        .then(on_ok, on_err);
}

namespace {

// A role's pool leads its chain as a group of equals: the least loaded member
// goes first (requests in flight at each deployment, counted over the jobs
// now, so the count can never drift), equal loads in turn.
void balance_pool(router_state& st, std::vector<routing::candidate>& chain) {
  size_t members = 0;
  while (members < chain.size() && chain[members].pool_capacity > 0)
    ++members;
  if (members < 2)
    return;
  std::unordered_map<std::string, int> busy;
  st.jobs.for_each([&](uint64_t, const router_job& j) {
    if (j.index < j.chain.size() && !j.counting) // a count is no load worth balancing
      ++busy[j.chain[j.index].where.key()];
  });
  std::vector<routing::member_load> loads;
  for (size_t i = 0; i < members; ++i)
    loads.push_back({busy[chain[i].where.key()], chain[i].pool_capacity});
  std::vector<routing::candidate> ordered;
  ordered.reserve(chain.size());
  for (auto i : routing::balance_order(loads, st.pool_turn++))
    ordered.push_back(std::move(chain[i]));
  std::move(chain.begin() + static_cast<std::ptrdiff_t>(members), chain.end(),
            std::back_inserter(ordered));
  chain = std::move(ordered);
}

caf::typed_response_promise<routed_response> start_job(router_pointer self, role_request req,
                                                       bool streaming, bool counting = false) {
  auto& st = self->state;
  // make_response_promise() takes the sender out of the current message, so
  // the sink is read first.
  auto requester = self->current_sender();
  auto sink = caf::actor_cast<chunk_sink>(requester);
  auto promise = self->make_response_promise<routed_response>();
  // The chain is resolved without the conversation and tools: each candidate would copy them.
  router_job j;
  j.content.messages = std::move(req.request.messages);
  j.content.tools = std::move(req.request.tools);
  auto chain = routing::resolve_chain(*st.settings, req.role, req.target, req.request);
  if (!chain) {
    promise.deliver(to_caf(chain.error()));
    return promise;
  }
  auto key = st.next_key++;
  j.req = std::move(req);
  j.req.request = chat_request{};
  if (requester) {
    // One monitor per requester, however many requests it sends: its death
    // cancels what it still waits for.
    j.requester = requester->address();
    if (st.watched.insert(j.requester).second)
      self->monitor(caf::actor_cast<caf::actor>(requester));
  }
  // A count goes in chain order: the same conversation is counted by the same model's
  // tokenizer each time, and chats' turns are left alone.
  if (!counting)
    balance_pool(st, *chain);
  j.chain = std::move(*chain);
  j.streaming = streaming;
  j.counting = counting;
  if (streaming)
    j.sink = std::move(sink);
  j.promise = promise;
  st.jobs.add(key, std::move(j));
  try_current(self, key);
  return promise;
}

void relay(router_pointer self, const stream_chunk& c) {
  auto& st = self->state;
  auto a = st.attempts.find(c.id);
  if (a == st.attempts.end())
    return; // a piece of an abandoned attempt
  auto* j = st.jobs.find(a->second);
  if (!j || j->attempt_id != c.id || !j->streaming)
    return; // a piece for a whole request has no requester to reach
  // Thinking the requester would drop is not relayed, nor a first piece: a failure after it
  // still falls back.
  // The provider bills what it streamed, shown or not (an estimate if the attempt fails).
  j->streamed_bytes += c.delta.text.size() + c.delta.reasoning.size();
  if (j->req.text_unseen || (j->req.reasoning_unseen && c.delta.text.empty()))
    return;
  auto delta = j->req.reasoning_unseen ? chunk{c.delta.text, {}, {}, {}} : c.delta;
  // Once text reaches the requester no other attempt can follow (on_attempt_failed): the
  // conversation, a coding agent's 100 KB and more, is not kept while the answer streams.
  if (j->next_seq == 0) {
    j->prompt_estimate = cost::estimate_prompt_tokens(j->content);
    j->content = chat_request{};
  }
  j->relayed_bytes += delta.text.size() + delta.reasoning.size();
  self->send(j->sink, chunk_atom::value, stream_chunk{j->req.id, j->next_seq++, std::move(delta)});
}

// Cancels every job that `matches`: the attempt in flight is abandoned at its
// provider and the requester gets errc::cancelled.
template <class Predicate>
void cancel_where(router_pointer self, Predicate matches) {
  auto& st = self->state;
  std::vector<uint64_t> keys;
  st.jobs.for_each([&](uint64_t key, const router_job& j) {
    if (matches(j))
      keys.push_back(key);
  });
  for (auto key : keys) {
    auto* j = st.jobs.find(key);
    if (!j)
      continue;
    auto why = make_failure(errc::cancelled, "request cancelled");
    if (j->attempt_id != 0 && j->index < j->chain.size()) {
      self->send(slot_of(self, *j).hdl, cancel_atom::value, j->attempt_id);
      // What it streamed was produced, so likely billed: recorded with an estimate.
      if (j->streamed_bytes > 0) {
        report(self, *j, nullptr, &why);
        j->billed = true;
      }
    }
    finish(self, key, to_caf(why));
  }
}

void cancel(router_pointer self, uint64_t request_id) {
  cancel_where(self, [=](const router_job& j) { return j.req.id == request_id; });
}

router_impl::behavior_type router(router_pointer self, router_setup setup) {
  auto& st = self->state;
  st.settings = std::move(setup.settings);
  st.make_provider = std::move(setup.make_provider);
  st.ledger = std::move(setup.ledger);
  st.prices = std::move(setup.prices);
  st.dearest = st.prices.dearest(st.settings->models);
  st.observer = std::move(setup.observer);
  auto seed = setup.seed;
  const auto& b = st.settings->budgets;
  st.budgets = b.per_run || b.per_day || !b.per_role.empty();
  st.cooldowns = routing::cooldown_tracker{st.settings->cooldown};
  st.random.seed(seed);
  for (const auto& [name, p] : st.settings->providers) {
    provider_slot slot{p, st.make_provider(self, p),
                       routing::restart_budget{st.settings->supervision}, false, 0};
    self->link_to(slot.hdl);
    st.providers.emplace(name, std::move(slot));
  }
  // A remote provider per node, supervised like the others; it connects on first use.
  for (const auto& [name, n] : st.settings->nodes) {
    auto p = remote_slot_settings(n);
    provider_slot slot{p, st.make_provider(self, p),
                       routing::restart_budget{st.settings->supervision}, false, 0};
    self->link_to(slot.hdl);
    st.providers.emplace(p.name, std::move(slot));
  }
  // Children are linked: their exits arrive here instead of killing us, and
  // our own exit takes them down with us.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    for (auto& kv : self->state.providers)
      if (kv.second.hdl.address() == msg.source)
        return on_provider_exit(self, msg.source);
    self->quit(msg.reason);
  });
  self->set_down_handler([=](caf::down_msg& msg) {
    self->state.watched.erase(msg.source);
    cancel_where(self, [&](const router_job& j) { return j.requester == msg.source; });
  });
  return {
      [=](complete_atom, role_request& req) { return start_job(self, std::move(req), false); },
      [=](stream_atom, role_request& req) { return start_job(self, std::move(req), true); },
      [=](count_atom, role_request& req) { return start_job(self, std::move(req), false, true); },
      [=](chunk_atom, const stream_chunk& c) { relay(self, c); },
      [=](cancel_atom, uint64_t id) { cancel(self, id); },
      [=](models_atom, const std::string& name) { return models_of(self, name); },
      [=](embed_atom, role_embed_request& req) { return start_embed_job(self, std::move(req)); },
      [=](retry_atom, uint64_t key) {
        if (self->state.jobs.find(key))
          send_attempt(self, key);
      },
      [=](tick_atom) { on_watchdog(self); },
  };
}

} // namespace

router_actor spawn_router(caf::actor_system& sys, router_setup setup) {
  return sys.spawn(router, std::move(setup));
}

router_actor spawn_router(caf::actor_system& sys, std::shared_ptr<const config::settings> settings,
                          provider_factory make_provider, ledger_actor ledger, uint64_t seed) {
  return spawn_router(sys, router_setup{std::move(settings), std::move(make_provider),
                                        std::move(ledger), cost::price_book{}, seed});
}

} // namespace et::actors
