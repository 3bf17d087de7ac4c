#pragma once
/// The pool: the mayor's fan-out. It runs an execution's jobs over the lanes'
/// members (one polecat per member, spawned when first needed), at most
/// `max_concurrency` jobs per member at once, a free member always taking the
/// next ready job. Jobs wait for their dependencies and receive their results.
/// A failed attempt moves the job to a member it has not tried (healthy members
/// first: one that failed twice in a row is benched while others remain), then
/// to the lane's reserves in order, and only then fails it. With a witness,
/// each answer is reviewed and sent back with the note while it scores below
/// the threshold, up to the re-ask limit or until an answer repeats.

#include <memory>

#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"

namespace et::actors {

/// Who the pool works with.
struct pool_setup {
  std::shared_ptr<const config::settings> settings; ///< for the polecats' prompts
  router_actor router;                              ///< every answer comes through it
  witness_actor witness;                            ///< reviews (may be null: no reviews)
  progress_sink observer;                           ///< progress events (may be null)
};

/// Spawns a pool.
pool_actor spawn_pool(caf::actor_system& sys, pool_setup setup);

} // namespace et::actors
