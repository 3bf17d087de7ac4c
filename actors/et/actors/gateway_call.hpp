#pragma once
/// One request of `et serve --http`, as an actor: it asks the router (streamed
/// or not), hands each streamed piece and then the end to callbacks (which
/// write to the HTTP client), and quits. Cancelling it cancels the request at
/// the router, which then releases its budget reservation and abandons the
/// attempt at the provider.

#include <functional>
#include <optional>

#include "caf/fwd.hpp"
#include "et/actors/interfaces.hpp"
#include "et/util/result.hpp"

namespace et::actors {

/// What a gateway call reports. Both run on the call actor's thread, one at a
/// time, in order: every on_chunk before on_done.
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

/// Spawns the call. Send the returned actor `cancel_atom` (no arguments) to
/// cancel the request; the answer is then errc::cancelled.
caf::actor spawn_gateway_call(caf::actor_system& sys, router_actor router, role_request req,
                              bool streaming, gateway_callbacks callbacks);

} // namespace et::actors
