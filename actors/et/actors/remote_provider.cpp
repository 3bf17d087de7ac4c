#include "et/actors/remote_provider.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

#include "caf/all.hpp"
#include "caf/io/all.hpp"
#include "caf/openssl/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/util/in_flight.hpp"
#include "et/util/text.hpp"
#include "et/wire/classify.hpp"
#include "et/wire/codec.hpp"

namespace et::actors {

namespace {

// A request from the router, kept until the node answers or fails.
struct remote_call {
  chat_request request;                               ///< model = the node's alias
  bool streaming = false;                             ///< stream or complete
  chunk_sink requester;                               ///< where pieces go (the router)
  caf::typed_response_promise<chat_response> promise; ///< the router's answer
  bool sent = false;                                  ///< handed to the node (else waiting)
  uint64_t wire = 0;                                  ///< its id on the node (once sent)
  std::size_t streamed = 0;                           ///< bytes of the pieces passed on
};

// The most a node may stream for one answer: what an upstream's answer may be
// (http::client_options::max_body_bytes). Past it the call ends as bad_response (the node's fault).
constexpr std::size_t max_streamed_bytes = std::size_t{64} << 20;

// 128 bits from the system's randomness: the ids a generator gives are no better than its seed.
std::mt19937_64 seeded_generator() {
  std::random_device rd;
  std::seed_seq seed{rd(), rd(), rd(), rd()};
  return std::mt19937_64{seed};
}

// Called once the connection attempt ends: with nullptr when connected.
using on_connected = std::function<void(const failure*)>;

struct remote_state {
  config::node node;
  caf::actor connector; // the middleman that connects (node_connector), or a test's stand-in
  node_actor hdl;       // null while not connected
  bool connecting = false;
  std::vector<on_connected> waiting;
  util::in_flight<uint64_t, remote_call> calls; // by the router's attempt id
  // The node knows a call by a random id, not the router's attempt id: CAF takes the sender
  // of a message over BASP from what the sending peer writes, so another peer of the node
  // could send as this actor. An id it cannot guess is all it could cancel or stream into.
  std::unordered_map<uint64_t, uint64_t> by_wire; // wire id -> the router's attempt id
  std::mt19937_64 random = seeded_generator();
  static inline const char* name = "et.remote_provider";
};

using remote_pointer = remote_provider_actor::stateful_pointer<remote_state>;

std::string where(const config::node& n) {
  auto host = n.host.find(':') != std::string::npos ? "[" + n.host + "]" : n.host;
  return "node " + n.name + " (" + host + ":" + std::to_string(n.port) + ")";
}

void connected(remote_pointer self, const failure* f) {
  auto waiting = std::move(self->state.waiting);
  self->state.waiting.clear();
  self->state.connecting = false;
  for (auto& next : waiting)
    next(f);
}

// How often a connect that CAF dropped as sec::connection_timeout is made again.
constexpr int connect_tries = 3;

// Asks the middleman `mm` to connect, within what is left of the node's connect_timeout.
// CAF 0.17.6's BASP broker makes the connecting side's endpoint context without a last_seen
// time (basp_broker.cpp, the connect_atom handler), so a heartbeat tick between the TCP connect
// and the node's handshake reply drops the new connection as sec::connection_timeout. A slow
// handshake (TLS to a distant host, a node under emulation: seen in one run of two under
// qemu-user) meets a tick often. The next tick is a heartbeat away: connect again.
void connect(remote_pointer self, caf::actor mm, caf::actor_clock::time_point deadline,
             int tries_left) {
  auto n = self->state.node;
  // At least a millisecond: a request with no time left would never be sent.
  caf::timespan left =
      std::max<caf::timespan>(deadline - self->clock().now(), std::chrono::milliseconds{1});
  self->request(mm, left, caf::connect_atom::value, n.host, n.port)
      .then(
          [=](caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>& ifs) {
            auto hdl = node_from(self->system(), n, std::move(ptr), ifs);
            if (!hdl)
              return connected(self, &hdl.error());
            self->state.hdl = *hdl;
            // The node's death (or its host's) arrives as a down message.
            self->monitor(self->state.hdl);
            connected(self, nullptr);
          },
          [=](caf::error& e) {
            if (e == caf::sec::connection_timeout && tries_left > 1
                && self->clock().now() < deadline)
              return connect(self, mm, deadline, tries_left - 1);
            auto f = remote_failure(n, e);
            connected(self, &f);
          });
}

// Runs `next` once connected (at once when already), or with the failure.
void with_node(remote_pointer self, on_connected next) {
  auto& st = self->state;
  if (st.hdl) {
    next(nullptr);
    return;
  }
  st.waiting.push_back(std::move(next));
  if (st.connecting)
    return;
  st.connecting = true;
  auto mm = st.connector ? st.connector : node_connector(self->system(), st.node);
  if (!mm) {
    auto f = make_failure(errc::node_down, where(st.node) + ": this process has no networking");
    return connected(self, &f);
  }
  connect(self, mm, self->clock().now() + caf::timespan{st.node.connect_timeout}, connect_tries);
}

// Ends call `id` (the router's) and forgets its wire id.
std::optional<remote_call> take_call(remote_pointer self, uint64_t id) {
  auto call = self->state.calls.take(id);
  if (call && call->wire != 0)
    self->state.by_wire.erase(call->wire);
  return call;
}

// A fresh wire id: random, never 0, never one in flight.
uint64_t fresh_wire_id(remote_state& st, uint64_t id) {
  uint64_t wire = 0;
  while (wire == 0 || st.by_wire.count(wire))
    wire = st.random();
  st.by_wire.emplace(wire, id);
  return wire;
}

// The longest model name a node's answer may give (clipped past it): it goes into the ledger.
constexpr size_t max_node_model_bytes = 256;

// A call that fails before it was handed to the node (no connection, a connect that timed
// out) never reached a provider: typed, so nothing bills it by guess.
void fail(remote_pointer self, uint64_t id, failure f) {
  if (auto call = take_call(self, id)) {
    f.unsent = f.unsent || !call->sent;
    call->promise.deliver(to_caf(f));
  }
}

void send_call(remote_pointer self, uint64_t id) {
  auto& st = self->state;
  auto* pending = st.calls.find(id);
  if (!pending)
    return; // cancelled while connecting
  auto& c = *pending;
  c.sent = true;
  c.wire = fresh_wire_id(st, id);
  auto wire = c.wire;
  // A sent call is never sent again (a node that goes away fails it): its conversation goes
  // with the message instead of staying here until the node answers. The model is read first
  // (a braced list is evaluated in order).
  role_request req{wire, "", c.request.model, std::exchange(c.request, chat_request{})};
  auto n = st.node;
  auto on_ok = [=](routed_response& r) {
    auto call = take_call(self, id);
    if (!call)
      return;
    // The router records the model that answered on the node.
    if (r.response.model.empty())
      r.response.model = r.model;
    // A node is a peer: its answer keeps to the limits an upstream's decoder holds.
    r.response.model = clip_utf8(r.response.model, max_node_model_bytes);
    if (auto ok = wire::check_answer(r.response); !ok) {
      auto f = ok.error();
      f.message = "node " + n.name + ": " + f.message;
      call->promise.deliver(to_caf(f));
      return;
    }
    call->promise.deliver(std::move(r.response));
  };
  auto on_err = [=](caf::error& e) {
    auto f = remote_failure(n, e);
    // The node may still be working on it: tell it to stop.
    if (f.code == errc::timeout && self->state.hdl)
      self->send(self->state.hdl, cancel_atom::value, wire);
    fail(self, id, f);
  };
  auto bound = caf::timespan{n.request_timeout};
  if (c.streaming)
    self->request(st.hdl, bound, stream_atom::value, std::move(req)).then(on_ok, on_err);
  else
    self->request(st.hdl, bound, complete_atom::value, std::move(req)).then(on_ok, on_err);
}

caf::typed_response_promise<chat_response> start(remote_pointer self, uint64_t id, chat_request req,
                                                 bool streaming) {
  // make_response_promise() takes the sender out of the current message.
  auto requester = caf::actor_cast<chunk_sink>(self->current_sender());
  auto rp = self->make_response_promise<chat_response>();
  self->state.calls.add(id,
                        remote_call{std::move(req), streaming, std::move(requester), rp, false});
  with_node(self, [=](const failure* f) {
    if (f)
      fail(self, id, *f);
    else
      send_call(self, id);
  });
  return rp;
}

caf::typed_response_promise<std::vector<model_info>> models(remote_pointer self) {
  auto rp = self->make_response_promise<std::vector<model_info>>();
  with_node(self, [=](const failure* f) mutable {
    if (f) {
      rp.deliver(to_caf(*f));
      return;
    }
    auto n = self->state.node;
    self->request(self->state.hdl, caf::timespan{n.connect_timeout}, status_atom::value)
        .then(
            [=](routing::node_status& st) mutable {
              rp.deliver(routing::plausible_status(std::move(st)).aliases);
            },
            [=](caf::error& e) mutable { rp.deliver(to_caf(remote_failure(n, e))); });
  });
  return rp;
}

void on_node_down(remote_pointer self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (!st.hdl || msg.source != st.hdl.address())
    return;         // an earlier connection's node
  st.hdl = nullptr; // the next request connects again
  auto f =
      make_failure(errc::node_down, where(st.node) + " went away ("
                                        + wire::bounded_message(caf::to_string(msg.reason)) + ")");
  std::vector<uint64_t> sent;
  st.calls.for_each([&](uint64_t id, const remote_call& c) {
    if (c.sent)
      sent.push_back(id);
  });
  for (auto id : sent)
    fail(self, id, f);
}

// A node's piece of a call of ours, passed on to the router: a node that streams more than
// any answer may be is cut off (cancelled on the node, failed here), not held without end.
void relay_piece(remote_pointer self, const stream_chunk& c) {
  auto id = self->state.by_wire.find(c.id);
  if (id == self->state.by_wire.end())
    return; // no call of ours: a late piece, or someone else's
  auto* call = self->state.calls.find(id->second);
  if (!call || !call->requester)
    return;
  const auto& d = c.delta;
  call->streamed += d.text.size() + d.reasoning.size() + d.signature.size() + d.redacted.size();
  if (call->streamed > max_streamed_bytes) {
    if (self->state.hdl)
      self->send(self->state.hdl, cancel_atom::value, call->wire);
    return fail(self, id->second,
                make_failure(errc::bad_response, where(self->state.node) + " streamed more than "
                                                     + std::to_string(max_streamed_bytes >> 20)
                                                     + " MiB for one answer"));
  }
  self->send(call->requester, chunk_atom::value, stream_chunk{id->second, c.seq, d});
}

remote_provider_actor::behavior_type remote_provider(remote_pointer self, config::node settings,
                                                     caf::actor connector) {
  self->state.node = std::move(settings);
  self->state.connector = std::move(connector);
  self->set_down_handler([=](caf::down_msg& msg) { on_node_down(self, msg); });
  // The node learns this actor's address from every request: anything it sends outside the
  // interface is dropped, not printed to stdout as CAF's default does (peer bytes, unbounded,
  // from CAF's printer thread, into `et run > out.md` or across the terminal filter).
  self->set_default_handler(caf::drop);
  return {
      [=](complete_atom, uint64_t id, chat_request& req) {
        return start(self, id, std::move(req), false);
      },
      [=](stream_atom, uint64_t id, chat_request& req) {
        return start(self, id, std::move(req), true);
      },
      [=](models_atom) { return models(self); },
      [=](embed_atom, uint64_t, const embed_request&) -> caf::result<embed_response> {
        return to_caf(
            make_failure(errc::unsupported, "embeddings through a node are not supported"));
      },
      // A node's interface carries answers only; the router passes on to a local candidate.
      [=](count_atom, uint64_t, const chat_request&) -> caf::result<chat_response> {
        return to_caf(
            make_failure(errc::unsupported, "token counting through a node is not supported yet"));
      },
      [=](cancel_atom, uint64_t id) {
        auto* call = self->state.calls.find(id);
        if (!call)
          return;
        if (call->sent && self->state.hdl)
          self->send(self->state.hdl, cancel_atom::value, call->wire);
        fail(self, id, make_failure(errc::cancelled, "request cancelled"));
      },
      [=](chunk_atom, const stream_chunk& c) { relay_piece(self, c); },
  };
}

} // namespace

remote_provider_actor spawn_remote_provider(caf::local_actor* parent, config::node settings,
                                            caf::actor connector) {
  return parent->spawn(remote_provider, std::move(settings), std::move(connector));
}

caf::actor node_connector(caf::actor_system& sys, const config::node& node) {
  if (node.tls.enabled())
    return sys.has_openssl_manager()
               ? caf::actor_cast<caf::actor>(sys.openssl_manager().actor_handle())
               : caf::actor{};
  return sys.has_middleman() ? caf::actor_cast<caf::actor>(sys.middleman().actor_handle())
                             : caf::actor{};
}

result<node_actor> node_from(caf::actor_system& sys, const config::node& node,
                             caf::strong_actor_ptr ptr, const std::set<std::string>& interface) {
  if (!ptr)
    return make_failure(errc::node_down, where(node) + " publishes no actor");
  if (interface != sys.message_types<node_actor>())
    return make_failure(errc::node_down,
                        where(node) + " is not an et node of this version (its interface differs)");
  return caf::actor_cast<node_actor>(std::move(ptr));
}

failure remote_failure(const config::node& node, const caf::error& e) {
  if (e.category() == error_category) {
    // The node's words: one bounded line, and a class this build knows.
    auto f = from_caf(e);
    if (!errc_from_string(to_string(f.code)))
      f.code = errc::server_error;
    if (f.code == errc::provider_down)
      f.code = errc::node_down;
    f.message = "node " + node.name + ": " + wire::bounded_message(std::move(f.message));
    f.retry_after = std::clamp(f.retry_after, std::chrono::milliseconds{0},
                               std::chrono::milliseconds{std::chrono::hours{24}});
    if (f.http_status < 0 || f.http_status > 999)
      f.http_status = 0;
    return f;
  }
  if (e == caf::sec::request_timeout)
    return make_failure(errc::timeout, where(node) + " did not answer in time");
  auto why = wire::bounded_message(caf::to_string(e)); // its context may be the peer's
  if (e == caf::sec::cannot_connect_to_node)
    why = "cannot connect (nothing listens there, or no route)";
  else if (e == caf::sec::disconnect_during_handshake)
    why = "the connection closed during the handshake (TLS refused? check certificates, "
          "the CA and that both sides use TLS)";
  else if (e == caf::sec::incompatible_application_ids)
    why = "it runs an incompatible et version (app identifier differs)";
  else if (e == caf::sec::connection_timeout)
    return make_failure(errc::node_down, where(node)
                                             + " took the connection but did not finish the "
                                               "handshake in time (is an et node listening "
                                               "there? is it slow or far away?)");
  return make_failure(errc::node_down, where(node) + " is unreachable: " + why);
}

} // namespace et::actors
