#include "et/actors/http_provider_actor.hpp"

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/provider/http_provider.hpp"
#include "et/util/in_flight.hpp"

namespace et::actors {

namespace {

// A call in flight: its requester's answer and the exchange to cancel.
struct http_call {
  caf::typed_response_promise<chat_response> promise;
  http::exchange exchange;
};

// An embedding call in flight.
struct embed_call {
  caf::typed_response_promise<embed_response> promise;
  http::exchange exchange;
};

struct http_state {
  http_state() = default;
  http_state(const http_state&) = delete;
  http_state& operator=(const http_state&) = delete;
  // In-flight exchanges hold no reference to us beyond their callbacks: cancel
  // them when we go so no I/O outlives its purpose. Here and not in an
  // attach_functor: CAF 0.17 destroys the state in on_exit(), before the
  // attachables run, so a functor would read a destroyed table.
  ~http_state() {
    requests.for_each([](uint64_t, http_call& call) { call.exchange.cancel(); });
    embeds.for_each([](uint64_t, embed_call& call) { call.exchange.cancel(); });
  }
  std::shared_ptr<http::client> client; // keeps the client alive as long as we are
  std::unique_ptr<provider::http_provider> endpoint;
  failure broken; // why endpoint is null
  util::in_flight<uint64_t, http_call> requests;
  util::in_flight<uint64_t, embed_call> embeds;
  util::in_flight<uint64_t, caf::typed_response_promise<std::vector<model_info>>> listings;
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

/// What a chat request asks of the provider.
enum class chat_kind { complete, stream, count };

caf::typed_response_promise<chat_response> start(http_pointer self, uint64_t id,
                                                 const chat_request& req, chat_kind kind) {
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
  st.requests.add(id, http_call{promise, {}});
  http::exchange ex;
  if (kind == chat_kind::stream) {
    // Pieces go straight from the I/O thread to the requester: they are sent
    // before the completion, so they arrive before the reply.
    auto seq = std::make_shared<uint32_t>(0);
    ex = st.endpoint->stream(
        req,
        [sink, id, seq](chunk c) {
          caf::anon_send(sink, chunk_atom::value, stream_chunk{id, (*seq)++, std::move(c)});
        },
        report(me, id));
  } else if (kind == chat_kind::count) {
    ex = st.endpoint->count_tokens(req, report(me, id));
  } else {
    ex = st.endpoint->complete(req, report(me, id));
  }
  if (auto* call = st.requests.find(id))
    call->exchange = ex;
  return promise;
}

caf::typed_response_promise<embed_response> start_embed(http_pointer self, uint64_t id,
                                                        const embed_request& req) {
  auto promise = self->make_response_promise<embed_response>();
  auto& st = self->state;
  if (!st.endpoint) {
    promise.deliver(to_caf(st.broken));
    return promise;
  }
  auto me = caf::actor_cast<http_provider_actor>(self);
  st.embeds.add(id, embed_call{promise, {}});
  auto ex = st.endpoint->embed(req, [me, id](result<embed_response> r) {
    if (r)
      caf::anon_send(me, done_atom::value, id, std::move(*r));
    else
      caf::anon_send(me, failed_atom::value, id, to_caf(r.error()));
  });
  if (auto* call = st.embeds.find(id))
    call->exchange = ex;
  return promise;
}

void finish(http_pointer self, uint64_t id, caf::error err, chat_response* r) {
  if (!r) { // a failure ends a chat or an embedding call (ids are the router's, unique)
    if (auto e = self->state.embeds.take(id)) {
      e->promise.deliver(std::move(err));
      return;
    }
  }
  auto call = self->state.requests.take(id);
  if (!call)
    return; // cancelled meanwhile
  if (r)
    call->promise.deliver(std::move(*r));
  else
    call->promise.deliver(std::move(err));
}

template <class T>
void deliver_listing(http_pointer self, uint64_t lid, T&& value) {
  if (auto promise = self->state.listings.take(lid))
    promise->deliver(std::forward<T>(value));
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
  return {
      [=](complete_atom, uint64_t id, const chat_request& req) {
        return start(self, id, req, chat_kind::complete);
      },
      [=](stream_atom, uint64_t id, const chat_request& req) {
        return start(self, id, req, chat_kind::stream);
      },
      [=](count_atom, uint64_t id, const chat_request& req) {
        return start(self, id, req, chat_kind::count);
      },
      [=](models_atom) -> caf::result<std::vector<model_info>> {
        auto promise = self->make_response_promise<std::vector<model_info>>();
        if (!self->state.endpoint) {
          promise.deliver(to_caf(self->state.broken));
          return promise;
        }
        auto lid = self->state.next_listing++;
        self->state.listings.add(lid, promise);
        auto me = caf::actor_cast<http_provider_actor>(self);
        self->state.endpoint->list_models([me, lid](result<std::vector<model_info>> r) {
          if (r)
            caf::anon_send(me, models_atom::value, lid, std::move(*r));
          else
            caf::anon_send(me, models_atom::value, lid, to_caf(r.error()));
        });
        return promise;
      },
      [=](embed_atom, uint64_t id, const embed_request& req) { return start_embed(self, id, req); },
      [=](done_atom, uint64_t id, embed_response& r) {
        if (auto e = self->state.embeds.take(id))
          e->promise.deliver(std::move(r));
      },
      [=](cancel_atom, uint64_t id) {
        if (auto e = self->state.embeds.take(id)) {
          e->exchange.cancel();
          e->promise.deliver(to_caf(make_failure(errc::cancelled, "request cancelled")));
          return;
        }
        auto call = self->state.requests.take(id);
        if (!call)
          return;
        call->exchange.cancel();
        call->promise.deliver(to_caf(make_failure(errc::cancelled, "request cancelled")));
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
