#include "et/actors/mock_provider.hpp"

#include <unordered_map>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"

namespace et::actors {

namespace {

struct active_request {
  provider::mock_plan plan;
  caf::typed_response_promise<chat_response> promise;
  bool streaming = false;
  chunk_sink sink;
  size_t next_piece = 0;
};

struct mock_state {
  std::shared_ptr<provider::mock_engine> engine;
  std::vector<std::string> models;
  std::unordered_map<uint64_t, active_request> active;
  static inline const char* name = "et.provider.mock";
};

using mock_pointer = mock_provider_actor::stateful_pointer<mock_state>;

void schedule(mock_pointer self, uint64_t id, std::chrono::milliseconds delay) {
  auto me = caf::actor_cast<mock_provider_actor>(self);
  if (delay.count() > 0)
    self->delayed_send(me, delay, tick_atom::value, id);
  else
    self->send(me, tick_atom::value, id);
}

// A non-streamed answer takes as long as the streamed one would.
std::chrono::milliseconds whole_duration(const provider::mock_plan& plan) {
  return plan.first_delay + plan.piece_delay * static_cast<int64_t>(plan.pieces.size());
}

caf::typed_response_promise<chat_response> start(mock_pointer self, uint64_t id,
                                                 const chat_request& req, bool streaming) {
  active_request a;
  // make_response_promise() takes the sender out of the current message, so
  // the sink is read first.
  if (streaming)
    a.sink = caf::actor_cast<chunk_sink>(self->current_sender());
  a.plan = self->state.engine->answer(req);
  a.promise = self->make_response_promise<chat_response>();
  a.streaming = streaming;
  auto delay = streaming || a.plan.error ? a.plan.first_delay : whole_duration(a.plan);
  auto promise = a.promise;
  self->state.active[id] = std::move(a);
  schedule(self, id, delay);
  return promise;
}

void step(mock_pointer self, uint64_t id) {
  auto i = self->state.active.find(id);
  if (i == self->state.active.end())
    return; // cancelled
  auto& a = i->second;
  if (a.plan.error) {
    a.promise.deliver(to_caf(*a.plan.error));
  } else if (a.streaming && a.next_piece < a.plan.pieces.size()) {
    auto seq = static_cast<uint32_t>(a.next_piece);
    self->send(a.sink, chunk_atom::value,
               stream_chunk{id, seq, chunk{std::move(a.plan.pieces[a.next_piece]), {}}});
    ++a.next_piece;
    schedule(self, id, a.plan.piece_delay);
    return;
  } else {
    a.promise.deliver(std::move(a.plan.response));
  }
  self->state.active.erase(i);
}

mock_provider_actor::behavior_type mock_provider(mock_pointer self,
                                                 std::shared_ptr<provider::mock_engine> engine,
                                                 std::vector<std::string> models) {
  self->state.engine = std::move(engine);
  self->state.models = std::move(models);
  return {
      [=](complete_atom, uint64_t id, const chat_request& req) {
        return start(self, id, req, false);
      },
      [=](stream_atom, uint64_t id, const chat_request& req) { return start(self, id, req, true); },
      [=](models_atom) -> std::vector<model_info> {
        return self->state.engine->models(self->state.models);
      },
      [=](embed_atom, uint64_t, const embed_request& req) -> embed_response {
        return provider::mock_embed(req);
      },
      // What the mock bills as prompt tokens; counting is no call (no fault, no number).
      [=](count_atom, uint64_t, const chat_request& req) -> chat_response {
        chat_response r;
        r.model = req.model;
        r.tokens.prompt_tokens = provider::mock_engine::prompt_tokens(req);
        return r;
      },
      [=](cancel_atom, uint64_t id) {
        auto i = self->state.active.find(id);
        if (i == self->state.active.end())
          return;
        i->second.promise.deliver(to_caf(make_failure(errc::cancelled, "request cancelled")));
        self->state.active.erase(i);
      },
      [=](tick_atom, uint64_t id) { step(self, id); },
  };
}

} // namespace

mock_provider_actor spawn_mock_provider(caf::actor_system& sys,
                                        std::shared_ptr<provider::mock_engine> engine,
                                        std::vector<std::string> models) {
  return sys.spawn(mock_provider, std::move(engine), std::move(models));
}

mock_provider_actor spawn_mock_provider(caf::local_actor* parent,
                                        std::shared_ptr<provider::mock_engine> engine,
                                        std::vector<std::string> models) {
  return parent->spawn(mock_provider, std::move(engine), std::move(models));
}

} // namespace et::actors
