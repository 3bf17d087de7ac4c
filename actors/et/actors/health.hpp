#pragma once
/// The health probe: asks every Ollama provider of a host for its model list
/// (GET /api/tags, with the provider's configured auth) through the host's
/// router, all at once, and answers with one row per provider. `et nodes`
/// uses it for this host and each node answers status with its own.

#include <memory>
#include <vector>

#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"

namespace et::actors {

/// How long one provider may take to list its models before it counts as failed.
inline constexpr std::chrono::seconds health_timeout{3};

/// Spawns a probe over `settings` that asks through `router`.
health_actor spawn_health_probe(caf::actor_system& sys,
                                std::shared_ptr<const config::settings> settings,
                                router_actor router);

} // namespace et::actors
