// Embedding jobs: the same job machinery as a chat (retries, cooldowns, fallbacks,
// budget reservations, one ledger record per attempt), with an embed request to
// the provider and the vectors in the answer.

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/router_state.hpp"
#include "et/llm/plausible.hpp"

namespace et::actors {

caf::typed_response_promise<routed_embedding> start_embed_job(router_pointer self,
                                                              role_embed_request req) {
  auto& st = self->state;
  auto requester = self->current_sender();
  auto promise = self->make_response_promise<routed_embedding>();
  if (req.inputs.empty() || req.inputs.size() > max_embed_inputs) {
    promise.deliver(to_caf(
        make_failure(errc::invalid_input,
                     "an embedding request carries " + std::to_string(req.inputs.size())
                         + " inputs (allowed: 1 to " + std::to_string(max_embed_inputs) + ")")));
    return promise;
  }
  std::vector<std::string> refs;
  if (!req.target.empty())
    refs.push_back(req.target);
  refs.insert(refs.end(), req.fallbacks.begin(), req.fallbacks.end());
  if (refs.empty()) {
    promise.deliver(
        to_caf(make_failure(errc::invalid_config, "an embedding request needs a model alias")));
    return promise;
  }
  auto role = st.settings->role_or_default(req.role);
  std::vector<routing::candidate> chain;
  for (const auto& ref : refs) {
    auto c = routing::resolve_reference(*st.settings, role, ref, chat_request{});
    if (!c) {
      promise.deliver(to_caf(c.error()));
      return promise;
    }
    if (!c->where.node.empty()) {
      promise.deliver(
          to_caf(make_failure(errc::unsupported, "embeddings through a node (" + ref
                                                     + ") are not supported; name a local alias")));
      return promise;
    }
    bool seen = false;
    for (const auto& existing : chain)
      seen = seen || existing.where == c->where;
    if (!seen)
      chain.push_back(std::move(*c));
  }
  auto key = st.next_key++;
  router_job j;
  j.req = role_request{req.id, req.role, req.target, chat_request{}};
  if (requester) {
    j.requester = requester->address();
    if (st.watched.insert(j.requester).second)
      self->monitor(caf::actor_cast<caf::actor>(requester));
  }
  j.chain = std::move(chain);
  j.embedding = true;
  j.embed_inputs = std::move(req.inputs);
  j.embed_promise = promise;
  st.jobs.add(key, std::move(j));
  try_current(self, key);
  return promise;
}

void dispatch_embed(router_pointer self, uint64_t key, provider_slot& slot, uint64_t aid) {
  auto* j = self->state.jobs.find(key);
  if (!j)
    return;
  embed_request req{j->chain[j->index].request.model, j->embed_inputs};
  self->request(slot.hdl, caf::infinite, embed_atom::value, aid, std::move(req))
      .then([=](embed_response& r) { on_embed_done(self, key, aid, std::move(r)); },
            [=](caf::error& e) { on_attempt_failed(self, key, aid, from_caf(e)); });
}

void on_embed_done(router_pointer self, uint64_t key, uint64_t attempt_id, embed_response r) {
  auto* found = self->state.jobs.find(key);
  if (!found || found->attempt_id != attempt_id)
    return; // cancelled or superseded
  if (r.vectors.size() != found->embed_inputs.size()) {
    // Only what the codec checked reaches here from HTTP; other provider actors
    // are held to the same count.
    auto f = make_failure(errc::bad_response, std::to_string(r.vectors.size()) + " vectors for "
                                                  + std::to_string(found->embed_inputs.size())
                                                  + " inputs");
    return on_attempt_failed(self, key, attempt_id, f);
  }
  auto j = std::move(*self->state.jobs.take(key));
  const auto& where = j.chain[j.index].where;
  r.tokens = plausible(r.tokens);
  r.usd = price(self, where, r.tokens);
  chat_response billed;
  billed.model = r.model;
  billed.tokens = r.tokens;
  billed.usd = r.usd;
  report(self, j, &billed, nullptr);
  self->state.cooldowns.succeeded(where.key());
  self->state.attempts.erase(attempt_id);
  if (self->state.observer && !j.fallbacks.empty())
    self->send(self->state.observer, status_atom::value, fallback_report{j.req.role, j.fallbacks});
  j.embed_promise.deliver(routed_embedding{std::move(r), where.alias, slot_key(where), where.model,
                                           j.attempts, std::move(j.fallbacks)});
}

} // namespace et::actors
