#include "et/actors/gateway_calls.hpp"

#include <algorithm>
#include <memory>
#include <unordered_map>

#include "caf/all.hpp"
#include "et/actors/detail/error_cause.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"

namespace et::actors {

/// gateway_calls::start -> desk: a call to open. Never leaves the process.
struct gateway_ask {
  role_request req;
  bool streaming = false;
  std::shared_ptr<gateway_callbacks> callbacks;
};

} // namespace et::actors

// Callbacks cannot be serialized; this message only ever travels between actors of one process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(et::actors::gateway_ask)

namespace et::actors {

namespace {

struct desk_state {
  /// The open calls by request id.
  std::unordered_map<uint64_t, std::shared_ptr<gateway_callbacks>> open;
  static inline const char* name = "et.gateway_desk";
};

using desk_pointer = caf::stateful_actor<desk_state>*;

// A callback that throws must not take the desk, and every later call, down with it.
template <class F>
bool guarded(F&& f) {
  try {
    f();
    return true;
  } catch (...) {
    return false;
  }
}

// Hands call `id` its answer and forgets it.
void finish(desk_pointer self, uint64_t id, result<routed_response> r, std::optional<errc> cause) {
  auto i = self->state.open.find(id);
  if (i == self->state.open.end())
    return;
  auto cb = std::move(i->second);
  self->state.open.erase(i);
  guarded([&] { cb->on_done(std::move(r), cause); });
}

void ask_router(desk_pointer self, const router_actor& router, gateway_ask& ask) {
  auto id = ask.req.id;
  self->state.open[id] = std::move(ask.callbacks);
  auto on_ok = [self, id](routed_response& r) { finish(self, id, std::move(r), std::nullopt); };
  auto on_err = [self, id](caf::error& e) {
    std::optional<errc> cause;
    if (auto c = cause_of(e))
      cause = c->code;
    finish(self, id, from_caf(e), cause);
  };
  // The router bounds every attempt by the provider's timeouts, so it always answers.
  if (ask.streaming)
    self->request(router, caf::infinite, stream_atom::value, std::move(ask.req)).then(on_ok, on_err);
  else
    self->request(router, caf::infinite, complete_atom::value, std::move(ask.req))
        .then(on_ok, on_err);
}

caf::behavior desk(desk_pointer self, router_actor router) {
  return {
      [=](gateway_ask& ask) { ask_router(self, router, ask); },
      [=](chunk_atom, const stream_chunk& c) {
        auto i = self->state.open.find(c.id);
        if (i == self->state.open.end() || !i->second->on_chunk)
          return;
        // A piece that cannot be relayed ends the call at once (whatever the router still
        // sends for it is dropped) and its request at the router.
        if (guarded([&] { i->second->on_chunk(c); }))
          return;
        self->send(router, cancel_atom::value, c.id);
        finish(self, c.id,
               make_failure(errc::cancelled, "the gateway could not relay a streamed piece"),
               std::nullopt);
      },
      [=](cancel_atom, uint64_t id) {
        if (self->state.open.count(id) > 0)
          self->send(router, cancel_atom::value, id);
      },
  };
}

} // namespace

gateway_calls::gateway_calls(caf::actor_system& sys, router_actor router, std::size_t desks) {
  for (std::size_t n = 0; n < std::max<std::size_t>(1, desks); ++n)
    desks_.push_back(sys.spawn(desk, router));
}

gateway_calls::~gateway_calls() {
  stop();
}

const caf::actor& gateway_calls::desk_of(uint64_t id) const {
  return desks_[id % desks_.size()];
}

void gateway_calls::start(role_request req, bool streaming, gateway_callbacks callbacks) {
  auto id = req.id;
  caf::anon_send(desk_of(id), gateway_ask{std::move(req), streaming,
                                          std::make_shared<gateway_callbacks>(std::move(callbacks))});
}

void gateway_calls::cancel(uint64_t id) {
  caf::anon_send(desk_of(id), cancel_atom::value, id);
}

void gateway_calls::stop() {
  for (auto& d : desks_)
    caf::anon_send_exit(d, caf::exit_reason::user_shutdown);
}

} // namespace et::actors
