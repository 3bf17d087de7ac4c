#pragma once
/// The requests of `et serve --http`, carried to the router by a few long-lived
/// desk actors (one per scheduler worker). A desk asks the router (streamed or
/// not), hands each streamed piece and then the end to the call's callbacks
/// (which write to the HTTP client) and forgets the call. Cancelling a call
/// cancels its request at the router, which then releases its budget
/// reservation and abandons the attempt at the provider.
///
/// Not an actor per request: spawning one costs its set-up, and every actor
/// that ends wakes CAF's clock thread to drop its timeouts (README, Gateway
/// overhead). A desk that fails (any exit but stop()) ends its open calls
/// with errc::cancelled, cancels them at the router and is replaced; a call
/// sent to it while it ended gets errc::cancelled too. So one failure neither
/// leaves clients waiting for their timeout nor loses later calls.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include "caf/fwd.hpp"
#include "et/actors/interfaces.hpp"
#include "et/util/result.hpp"

namespace et::actors {

/// What a gateway call reports. Both run on a desk actor's thread, one at a
/// time, in order: every on_chunk before on_done, which comes exactly once. Neither
/// may block; an on_chunk that throws ends its call (on_done: errc::cancelled).
struct gateway_callbacks {
  /// A streamed piece (streamed calls only).
  std::function<void(const stream_chunk&)> on_chunk;
  /// The answer, or the failure and, for errc::all_failed, the class of the
  /// last candidate's failure when known.
  std::function<void(result<routed_response>, std::optional<errc>)> on_done;
};

/// The base of the request ids gateway calls use: the router cancels by id
/// alone, so they must not collide with a node's (which count from 1).
inline constexpr uint64_t gateway_request_ids = uint64_t{1} << 62;

/// The desks of one gateway. Calls may start and be cancelled from any thread.
class gateway_calls {
public:
  /// `desks` desk actors (at least one) on `sys` that ask `router`.
  gateway_calls(caf::actor_system& sys, router_actor router, std::size_t desks);
  /// Stops the desks.
  ~gateway_calls();
  gateway_calls(const gateway_calls&) = delete;
  gateway_calls& operator=(const gateway_calls&) = delete;

  /// Starts request `req`, streamed or not; its id (unique among open calls,
  /// from gateway_request_ids up) names the call.
  void start(role_request req, bool streaming, gateway_callbacks callbacks);
  /// Starts counting the input tokens of `req` (the router's count_atom): on_done gets the
  /// count in response.tokens.prompt_tokens; on_chunk is never called.
  void count(role_request req, gateway_callbacks callbacks);
  /// Cancels the open call with request id `id`: its on_done then gets
  /// errc::cancelled. Nothing for a call already answered.
  void cancel(uint64_t id);
  /// Stops the desks (idempotent): calls a desk already took get no on_done (unless the
  /// desk fails first); calls still on their way to one get errc::cancelled.
  void stop();
  /// The desk that carries call `id` now (supervision tests stop one).
  caf::actor desk_for(uint64_t id) const;

  /// What the desks' replacement needs (shared with the watch on each desk).
  struct shared_state;

private:
  std::shared_ptr<shared_state> shared_;
};

} // namespace et::actors
