#pragma once
/// The polecat actor: a worker bound to one pool member. It carries out
/// subtasks through the router under its role name with the member as target:
/// in one shot or streaming (pieces relayed to a sink).

#include <string>

#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"
#include "et/util/in_flight.hpp"

namespace et::actors {

/// A stream in flight: where its pieces go.
struct polecat_stream {
  chunk_sink sink; ///< the requester's sink
};

/// The polecat's state (visible so tests can inspect the streams in flight).
struct polecat_state {
  /// Declared so the state is no aggregate CAF would try to build from the self pointer.
  polecat_state() = default;
  router_actor router;                               ///< asked for every answer
  std::string role;                                  ///< role name sent to the router
  std::string target;                                ///< pool member ("" = the role's chain)
  std::string system;                                ///< system prompt
  util::in_flight<uint64_t, polecat_stream> streams; ///< by request id
  static inline const char* name = "et.polecat";
};

/// Spawns a polecat asking `router` as role `role` for pool member `target`
/// (alias, alias@node or provider/model; "" = the role's chain); its system
/// prompt is `system`, or when that is empty the role's from `settings`.
polecat_actor spawn_polecat(caf::actor_system& sys, router_actor router,
                            const config::settings& settings, std::string target = {},
                            std::string role = "polecat", std::string system = {});

} // namespace et::actors
