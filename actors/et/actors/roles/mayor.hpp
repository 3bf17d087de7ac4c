#pragma once
/// The mayor actor: plans a run (decompose), briefs the workers (coordinate)
/// and combines their results (synthesize), each through the router under its
/// role name. Parsing is libet's (et/plan); prompts are et/roles/prompts.

#include <string>

#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"

namespace et::actors {

/// Spawns a mayor asking `router` as role `role` (a custom name works); its
/// system prompt and specialists come from `settings`.
mayor_actor spawn_mayor(caf::actor_system& sys, router_actor router,
                        const config::settings& settings, std::string role = "mayor");

} // namespace et::actors
