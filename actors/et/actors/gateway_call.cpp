#include "et/actors/gateway_call.hpp"

#include <memory>

#include "caf/all.hpp"
#include "et/actors/detail/error_cause.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"

namespace et::actors {

namespace {

caf::behavior gateway_call(caf::event_based_actor* self, router_actor router, role_request req,
                           bool streaming, std::shared_ptr<gateway_callbacks> cb) {
  auto id = req.id;
  auto on_ok = [=](routed_response& r) {
    cb->on_done(std::move(r), std::nullopt);
    self->quit();
  };
  auto on_err = [=](caf::error& e) {
    std::optional<errc> cause;
    if (auto c = cause_of(e))
      cause = c->code;
    cb->on_done(from_caf(e), cause);
    self->quit();
  };
  // The router bounds every attempt by the provider's timeouts, so it always answers.
  if (streaming)
    self->request(router, caf::infinite, stream_atom::value, std::move(req)).then(on_ok, on_err);
  else
    self->request(router, caf::infinite, complete_atom::value, std::move(req)).then(on_ok, on_err);
  return {
      [=](chunk_atom, const stream_chunk& c) {
        if (c.id == id && cb->on_chunk)
          cb->on_chunk(c);
      },
      [=](cancel_atom) { self->send(router, cancel_atom::value, id); },
  };
}

} // namespace

caf::actor spawn_gateway_call(caf::actor_system& sys, router_actor router, role_request req,
                              bool streaming, gateway_callbacks callbacks) {
  return sys.spawn(gateway_call, std::move(router), std::move(req), streaming,
                   std::make_shared<gateway_callbacks>(std::move(callbacks)));
}

} // namespace et::actors
