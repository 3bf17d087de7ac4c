#include "et/actors/gateway_calls.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "caf/all.hpp"
#include "et/actors/detail/error_cause.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"

namespace et::actors {

/// A call on its way to a desk. A desk that takes it moves the callbacks out; if the message
/// is dropped instead (its desk ended before reading it), the call ends as cancelled here.
struct pending_call {
  explicit pending_call(gateway_callbacks cb)
      : callbacks(std::make_shared<gateway_callbacks>(std::move(cb))) {}
  pending_call(const pending_call&) = delete;
  pending_call& operator=(const pending_call&) = delete;
  ~pending_call();
  std::shared_ptr<gateway_callbacks> callbacks;
};

/// gateway_calls::start -> desk: a call to open. Never leaves the process.
struct gateway_ask {
  /// What the call asks of the router.
  enum class kind : uint8_t { complete, stream, count };
  role_request req;
  kind what = kind::complete;
  std::shared_ptr<pending_call> call; ///< shared by copies of the message: answered once
};

} // namespace et::actors

// Callbacks cannot be serialized; this message only ever travels between actors of one process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(et::actors::gateway_ask)

namespace et::actors {

namespace {

/// Open calls by request id.
using open_calls = std::unordered_map<uint64_t, std::shared_ptr<gateway_callbacks>>;

struct desk_state {
  /// The open calls. Shared with the desk's exit watch: CAF 0.17 destroys the state before
  /// attached functors run.
  std::shared_ptr<open_calls> open = std::make_shared<open_calls>();
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

} // namespace

pending_call::~pending_call() {
  if (callbacks && callbacks->on_done)
    guarded([&] {
      callbacks->on_done(make_failure(errc::cancelled, "the gateway could not hand this request "
                                                       "to a desk (it stopped); send it again"),
                         std::nullopt);
    });
}

namespace {

// Hands call `id` its answer and forgets it.
void finish(desk_pointer self, uint64_t id, result<routed_response> r, std::optional<errc> cause) {
  auto i = self->state.open->find(id);
  if (i == self->state.open->end())
    return;
  auto cb = std::move(i->second);
  self->state.open->erase(i);
  guarded([&] { cb->on_done(std::move(r), cause); });
}

void ask_router(desk_pointer self, const router_actor& router, gateway_ask& ask) {
  if (!ask.call || !ask.call->callbacks)
    return; // already taken (a copy of a message this desk read before)
  auto id = ask.req.id;
  (*self->state.open)[id] = std::move(ask.call->callbacks);
  auto on_ok = [self, id](routed_response& r) { finish(self, id, std::move(r), std::nullopt); };
  auto on_err = [self, id](caf::error& e) {
    std::optional<errc> cause;
    if (auto c = cause_of(e))
      cause = c->code;
    finish(self, id, from_caf(e), cause);
  };
  // The router bounds every attempt by the provider's timeouts, so it always answers.
  if (ask.what == gateway_ask::kind::stream)
    self->request(router, caf::infinite, stream_atom::value, std::move(ask.req))
        .then(on_ok, on_err);
  else if (ask.what == gateway_ask::kind::count)
    self->request(router, caf::infinite, count_atom::value, std::move(ask.req)).then(on_ok, on_err);
  else
    self->request(router, caf::infinite, complete_atom::value, std::move(ask.req))
        .then(on_ok, on_err);
}

// A desk that fails ends its open calls now (their clients would otherwise wait for their
// timeout) and cancels them at the router. After stop() they are dropped.
void watch_exit(desk_pointer self, const router_actor& router) {
  self->attach_functor([open = self->state.open, router](const caf::error& reason) {
    if (reason == caf::exit_reason::user_shutdown)
      return;
    auto why = make_failure(errc::cancelled, "the gateway stopped carrying this request (its "
                                             "desk failed); send it again");
    for (auto& [id, cb] : *open) {
      caf::anon_send(router, cancel_atom::value, id);
      guarded([&] { cb->on_done(why, std::nullopt); });
    }
    open->clear();
  });
}

caf::behavior desk(desk_pointer self, router_actor router) {
  watch_exit(self, router);
  return {
      [=](gateway_ask& ask) { ask_router(self, router, ask); },
      [=](chunk_atom, const stream_chunk& c) {
        auto i = self->state.open->find(c.id);
        if (i == self->state.open->end() || !i->second->on_chunk)
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
        if (self->state.open->count(id) > 0)
          self->send(router, cancel_atom::value, id);
      },
  };
}

} // namespace

/// One desk's place: read by start() and cancel() on any thread, refilled when its desk fails.
struct desk_slot {
  mutable std::mutex lock;
  caf::actor desk;
};

struct gateway_calls::shared_state {
  shared_state(caf::actor_system& s, router_actor r, std::size_t n)
      : sys(s), router(std::move(r)), slots(n) {}
  caf::actor_system& sys;
  router_actor router;
  std::vector<desk_slot> slots;
  std::atomic<bool> stopped{false};
};

namespace {

// Spawns the desk of slot `i` and replaces it whenever it fails (never after stop()).
void place_desk(const std::shared_ptr<gateway_calls::shared_state>& s, std::size_t i) {
  auto d = s->sys.spawn(desk, s->router);
  caf::actor old; // released after the unlock: its end may run a functor that locks again
  {
    std::lock_guard guard{s->slots[i].lock};
    // Read under the slot's lock, which stop() takes after setting it: either stop() sees
    // this desk in the slot, or this sees stop().
    if (s->stopped) {
      caf::anon_send_exit(d, caf::exit_reason::user_shutdown);
      return;
    }
    old = std::exchange(s->slots[i].desk, d);
  }
  // After the slot holds it: a desk that already ended runs this at once, here.
  std::weak_ptr<gateway_calls::shared_state> weak = s;
  d->attach_functor([weak, i](const caf::error& reason) {
    auto alive = weak.lock();
    if (alive && !alive->stopped && reason != caf::exit_reason::user_shutdown)
      place_desk(alive, i);
  });
}

} // namespace

gateway_calls::gateway_calls(caf::actor_system& sys, router_actor router, std::size_t desks)
    : shared_(
        std::make_shared<shared_state>(sys, std::move(router), std::max<std::size_t>(1, desks))) {
  for (std::size_t i = 0; i < shared_->slots.size(); ++i)
    place_desk(shared_, i);
}

gateway_calls::~gateway_calls() {
  stop();
}

caf::actor gateway_calls::desk_for(uint64_t id) const {
  auto& slot = shared_->slots[id % shared_->slots.size()];
  std::lock_guard guard{slot.lock};
  return slot.desk;
}

void gateway_calls::start(role_request req, bool streaming, gateway_callbacks callbacks) {
  auto id = req.id;
  auto what = streaming ? gateway_ask::kind::stream : gateway_ask::kind::complete;
  caf::anon_send(desk_for(id), gateway_ask{std::move(req), what,
                                           std::make_shared<pending_call>(std::move(callbacks))});
}

void gateway_calls::count(role_request req, gateway_callbacks callbacks) {
  auto id = req.id;
  caf::anon_send(desk_for(id), gateway_ask{std::move(req), gateway_ask::kind::count,
                                           std::make_shared<pending_call>(std::move(callbacks))});
}

void gateway_calls::cancel(uint64_t id) {
  caf::anon_send(desk_for(id), cancel_atom::value, id);
}

void gateway_calls::stop() {
  shared_->stopped = true;
  for (std::size_t i = 0; i < shared_->slots.size(); ++i)
    caf::anon_send_exit(desk_for(i), caf::exit_reason::user_shutdown);
}

} // namespace et::actors
