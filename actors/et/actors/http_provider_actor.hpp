#pragma once
/// A provider endpoint reached over HTTP, as an actor. HTTP runs on libet's
/// I/O threads; their results come back to the actor as messages, so no
/// scheduler thread ever waits on the network.

#include <memory>

#include "et/actors/interfaces.hpp"
#include "et/http/client.hpp"

namespace et::actors {

/// The HTTP provider's interface: the provider interface plus the completions
/// its I/O callbacks send it.
using http_provider_actor = provider_actor::extend<
    /// I/O thread -> self: request `id` completed.
    caf::reacts_to<done_atom, uint64_t, chat_response>,
    /// I/O thread -> self: embedding request `id` completed.
    caf::reacts_to<done_atom, uint64_t, embed_response>,
    /// I/O thread -> self: request `id` failed.
    caf::reacts_to<failed_atom, uint64_t, caf::error>,
    /// I/O thread -> self: the model listing `id` arrived.
    caf::reacts_to<models_atom, uint64_t, std::vector<model_info>>,
    /// I/O thread -> self: the model listing `id` failed.
    caf::reacts_to<models_atom, uint64_t, caf::error>>;

/// Spawns the actor for one HTTP provider, spawned by `parent`. The client
/// must outlive the actor (the app owns both).
provider_actor spawn_http_provider(caf::local_actor* parent, std::shared_ptr<http::client> client,
                                   const config::provider& settings);

} // namespace et::actors
