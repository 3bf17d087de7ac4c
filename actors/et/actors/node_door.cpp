// The door of an `et serve` node: what the network reaches instead of the node.
#include <map>
#include <set>
#include <unordered_map>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/node.hpp"

namespace et::actors {

namespace {

// A caller's request, under the door's own id: callers number their
// requests independently, and only the door's ids reach the node.
struct door_call {
  caf::actor_addr caller;                               ///< who asked
  uint64_t caller_id = 0;                               ///< the caller's id for it
  chunk_sink sink;                                      ///< where its pieces go
  caf::typed_response_promise<routed_response> promise; ///< the caller's answer
};

struct door_state {
  // Not an aggregate: CAF would otherwise build it from the actor pointer
  // (C++20 aggregates take parentheses), handing that to `node`.
  door_state() = default;
  node_impl node;
  std::unordered_map<uint64_t, door_call> calls;
  std::map<std::pair<caf::actor_addr, uint64_t>, uint64_t> by_caller;
  std::set<caf::actor_addr> watched;
  uint64_t next_id = 1;
  static inline const char* name = "et.node_door";
};

using door_pointer = node_door_actor::stateful_pointer<door_state>;

// Answers call `id` and forgets it.
template <class Answer>
void answer(door_pointer self, uint64_t id, Answer&& a) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  i->second.promise.deliver(std::forward<Answer>(a));
  auto key = std::make_pair(i->second.caller, i->second.caller_id);
  if (auto j = st.by_caller.find(key); j != st.by_caller.end() && j->second == id)
    st.by_caller.erase(j);
  st.calls.erase(i);
}

caf::typed_response_promise<routed_response> forward(door_pointer self, role_request req,
                                                     bool streaming) {
  auto& st = self->state;
  // make_response_promise() takes the sender out of the current message.
  auto sender = self->current_sender();
  auto rp = self->make_response_promise<routed_response>();
  if (!sender) {
    // Nobody to answer, stream to, monitor or match a cancel against: the
    // work could neither be used nor stopped.
    rp.deliver(to_caf(make_failure(errc::invalid_input, "a request needs a sender")));
    return rp;
  }
  auto id = st.next_id++;
  door_call c{sender->address(), req.id, caf::actor_cast<chunk_sink>(sender), rp};
  // One monitor per caller: losing it (or its connection) cancels its work.
  if (st.watched.insert(c.caller).second)
    self->monitor(caf::actor_cast<caf::actor>(sender));
  st.by_caller[{c.caller, c.caller_id}] = id;
  st.calls.emplace(id, std::move(c));
  role_request inner{id, std::move(req.role), std::move(req.target), std::move(req.request)};
  auto on_ok = [=](routed_response& r) { answer(self, id, std::move(r)); };
  auto on_err = [=](caf::error& e) { answer(self, id, std::move(e)); };
  // The node answers every request (refusals at once, work within the
  // provider's bounds); the caller bounds the whole exchange with its own.
  if (streaming)
    self->request(st.node, caf::infinite, stream_atom::value, std::move(inner)).then(on_ok, on_err);
  else
    self->request(st.node, caf::infinite, complete_atom::value, std::move(inner))
        .then(on_ok, on_err);
  return rp;
}

caf::typed_response_promise<routing::node_status> status(door_pointer self) {
  auto rp = self->make_response_promise<routing::node_status>();
  // The node bounds its own status (health probe and ledger).
  self->request(self->state.node, caf::infinite, status_atom::value)
      .then([=](routing::node_status& s) mutable { rp.deliver(std::move(s)); },
            [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

node_door_actor::behavior_type door(door_pointer self, node_impl node) {
  self->state.node = std::move(node);
  self->link_to(self->state.node);
  // Anything else is refused (requests get sec::unexpected_message) without
  // the line CAF prints by default: peers must not fill the node's log.
  self->set_default_handler(caf::drop);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    st.watched.erase(msg.source);
    for (const auto& [id, c] : st.calls)
      if (c.caller == msg.source)
        self->send(st.node, cancel_atom::value, id);
  });
  return {
      [=](status_atom) { return status(self); },
      [=](complete_atom, role_request& req) { return forward(self, std::move(req), false); },
      [=](stream_atom, role_request& req) { return forward(self, std::move(req), true); },
      [=](cancel_atom, uint64_t caller_id) {
        // Only the sender's own request: the key includes who sent the cancel.
        auto sender = self->current_sender();
        if (!sender)
          return;
        auto& st = self->state;
        auto i = st.by_caller.find({sender->address(), caller_id});
        if (i != st.by_caller.end())
          self->send(st.node, cancel_atom::value, i->second);
      },
      [=](chunk_atom, const stream_chunk& c) {
        // Pieces come from the node only; anyone else's would be injected
        // into another caller's stream.
        auto& st = self->state;
        if (self->current_sender() != caf::actor_cast<caf::strong_actor_ptr>(st.node))
          return;
        auto i = st.calls.find(c.id);
        if (i != st.calls.end() && i->second.sink)
          self->send(i->second.sink, chunk_atom::value,
                     stream_chunk{i->second.caller_id, c.seq, c.delta});
      },
  };
}

} // namespace

node_door_actor spawn_node_door(caf::actor_system& sys, node_impl node) {
  return sys.spawn(door, std::move(node));
}

} // namespace et::actors
