#pragma once
/// The witness actor: reviews and validates work through the router under its
/// role name and reads the score out of the answer. A review without a
/// readable score is an error (errc::invalid_input), never a pass.

#include <string>

#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"

namespace et::actors {

/// Spawns a witness asking `router` as role `role`; its system prompt comes
/// from `settings`.
witness_actor spawn_witness(caf::actor_system& sys, router_actor router,
                            const config::settings& settings, std::string role = "witness");

} // namespace et::actors
