#include "et/actors/http_provider_actor.hpp"

#include <unordered_map>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/provider/http_provider.hpp"

namespace et::actors {

namespace {

struct in_flight {
  caf::typed_response_promise<chat_response> promise;
  http::exchange exchange;
};

struct http_state {
  std::shared_ptr<http::client> client; // keeps the client alive as long as we are
  std::unique_ptr<provider::http_provider> endpoint;
  failure broken; // why endpoint is null
  std::unordered_map<uint64_t, in_flight> requests;
  std::unordered_map<uint64_t, caf::typed_response_promise<std::vector<model_info>>> listings;
  uint64_t next_listing = 1;
  static inline const char* name = "et.provider.http";
};

using http_pointer = http_provider_actor::stateful_pointer<http_state>;

// The completion handler runs on an I/O thread: it only sends a message.
provider::completion_handler report(http_provider_actor me, uint64_t id) {
  return [me, id](result<chat_response> r) {
    if (r)
      caf::anon_send(me, done_atom::value, id, std::move(*r));
    else
      caf::anon_send(me, failed_atom::value, id, to_caf(r.error()));
  };
}

caf::typed_response_promise<chat_response> start(http_pointer self, uint64_t id,
                                                 const chat_request& req, bool streaming) {
  // make_response_promise() takes the sender out of the current message, so
  // the sink is read first.
  auto sink = caf::actor_cast<chunk_sink>(self->current_sender());
  auto promise = self->make_response_promise<chat_response>();
  auto& st = self->state;
  if (!st.endpoint) {
    promise.deliver(to_caf(st.broken));
    return promise;
  }
  auto me = caf::actor_cast<http_provider_actor>(self);
  st.requests[id].promise = promise;
  http::exchange ex;
  if (streaming) {
    // Pieces go straight from the I/O thread to the requester: they are sent
    // before the completion, so they arrive before the reply.
    auto seq = std::make_shared<uint32_t>(0);
    ex = st.endpoint->stream(
        req,
        [sink, id, seq](chunk c) {
          caf::anon_send(sink, chunk_atom::value, stream_chunk{id, (*seq)++, std::move(c)});
        },
        report(me, id));
  } else {
    ex = st.endpoint->complete(req, report(me, id));
  }
  if (auto i = st.requests.find(id); i != st.requests.end())
    i->second.exchange = ex;
  return promise;
}

void finish(http_pointer self, uint64_t id, caf::error err, chat_response* r) {
  auto i = self->state.requests.find(id);
  if (i == self->state.requests.end())
    return; // cancelled meanwhile
  if (r)
    i->second.promise.deliver(std::move(*r));
  else
    i->second.promise.deliver(std::move(err));
  self->state.requests.erase(i);
}

template <class T>
void deliver_listing(http_pointer self, uint64_t lid, T&& value) {
  if (auto i = self->state.listings.find(lid); i != self->state.listings.end()) {
    i->second.deliver(std::forward<T>(value));
    self->state.listings.erase(i);
  }
}

http_provider_actor::behavior_type http_provider_behavior(http_pointer self,
                                                          std::shared_ptr<http::client> client,
                                                          config::provider settings) {
  auto& st = self->state;
  st.client = std::move(client);
  auto made = provider::http_provider::make(*st.client, settings);
  if (made)
    st.endpoint = std::move(*made);
  else
    st.broken = made.error();
  // In-flight exchanges hold no reference to us beyond their callbacks;
  // cancel them when we go so no I/O outlives its purpose.
  self->attach_functor([=] {
    for (auto& [id, r] : self->state.requests)
      r.exchange.cancel();
  });
  return {
      [=](complete_atom, uint64_t id, const chat_request& req) {
        return start(self, id, req, false);
      },
      [=](stream_atom, uint64_t id, const chat_request& req) { return start(self, id, req, true); },
      [=](models_atom) -> caf::result<std::vector<model_info>> {
        auto promise = self->make_response_promise<std::vector<model_info>>();
        if (!self->state.endpoint) {
          promise.deliver(to_caf(self->state.broken));
          return promise;
        }
        auto lid = self->state.next_listing++;
        self->state.listings[lid] = promise;
        auto me = caf::actor_cast<http_provider_actor>(self);
        self->state.endpoint->list_models([me, lid](result<std::vector<model_info>> r) {
          if (r)
            caf::anon_send(me, models_atom::value, lid, std::move(*r));
          else
            caf::anon_send(me, models_atom::value, lid, to_caf(r.error()));
        });
        return promise;
      },
      [=](cancel_atom, uint64_t id) {
        auto i = self->state.requests.find(id);
        if (i == self->state.requests.end())
          return;
        i->second.exchange.cancel();
        i->second.promise.deliver(to_caf(make_failure(errc::cancelled, "request cancelled")));
        self->state.requests.erase(i);
      },
      [=](done_atom, uint64_t id, chat_response& r) { finish(self, id, {}, &r); },
      [=](failed_atom, uint64_t id, caf::error& e) { finish(self, id, std::move(e), nullptr); },
      [=](models_atom, uint64_t lid, std::vector<model_info>& models) {
        deliver_listing(self, lid, std::move(models));
      },
      [=](models_atom, uint64_t lid, caf::error& e) { deliver_listing(self, lid, std::move(e)); },
  };
}

} // namespace

provider_actor spawn_http_provider(caf::local_actor* parent, std::shared_ptr<http::client> client,
                                   const config::provider& settings) {
  return parent->spawn(http_provider_behavior, std::move(client), settings);
}

} // namespace et::actors
