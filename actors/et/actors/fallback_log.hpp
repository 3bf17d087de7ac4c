#pragma once
/// Collects the router's fallback reports and retry notices until someone drains them: how a
/// command that asks through role actors (the run's mayor, witness, refinery) learns that a
/// call was answered by a fallback, and one that waits on the router learns why it waits.

#include <vector>

#include "et/actors/router.hpp"

namespace et::actors {

/// The log: told reports by the router, drained by the command.
using fallback_log_actor = fallback_observer::extend<
    /// Everything reported since the last drain, oldest first.
    caf::replies_to<drain_atom>::with<std::vector<fallback_report>>,
    /// The retries noticed since the last ask, oldest first.
    caf::replies_to<retries_atom>::with<std::vector<retry_notice>>>;

/// Spawns a log that keeps at most `limit` reports and `limit` notices (the oldest go first),
/// so one nobody drains (et chat) stays small.
fallback_log_actor spawn_fallback_log(caf::actor_system& sys, size_t limit = 256);

} // namespace et::actors
