#pragma once
/// The refinery actor: refines text (with or without feedback), through the
/// router under its role name.

#include <string>

#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"

namespace et::actors {

/// Spawns a refinery asking `router` as role `role`; its system prompt comes
/// from `settings`.
refinery_actor spawn_refinery(caf::actor_system& sys, router_actor router,
                              const config::settings& settings, std::string role = "refinery");

} // namespace et::actors
