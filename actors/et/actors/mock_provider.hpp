#pragma once
/// The in-process mock provider as an actor: it plays the plans of a
/// provider::mock_engine with timers (virtual in tests), so everything above
/// it cannot tell it from an HTTP provider.

#include <memory>
#include <string>
#include <vector>

#include "et/actors/interfaces.hpp"
#include "et/provider/mock_engine.hpp"

namespace et::actors {

/// The mock's interface: the provider interface plus its own timer.
using mock_provider_actor = provider_actor::extend<
    /// self -> self: the next step of request `id` is due.
    caf::reacts_to<tick_atom, uint64_t>>;

/// Spawns a mock provider. The engine is shared so that a restarted mock keeps
/// numbering calls where the crashed one stopped; `models` is what it lists
/// when the settings name none.
mock_provider_actor spawn_mock_provider(caf::actor_system& sys,
                                        std::shared_ptr<provider::mock_engine> engine,
                                        std::vector<std::string> models);

/// The same, spawned by (and so in the context of) `parent`.
mock_provider_actor spawn_mock_provider(caf::local_actor* parent,
                                        std::shared_ptr<provider::mock_engine> engine,
                                        std::vector<std::string> models);

} // namespace et::actors
