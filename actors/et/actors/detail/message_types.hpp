#pragma once
/// The one place where message types are announced to CAF. Every type that
/// crosses a node boundary must be registered on both sides, under the same
/// name, before the actor system starts.

#include "caf/fwd.hpp"

namespace et::actors {

/// Announces et's message types and error category to `cfg`.
void add_message_types(caf::actor_system_config& cfg);

} // namespace et::actors
