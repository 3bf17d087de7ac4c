#pragma once
/// Internal to the pool actor: its collaborators, the scheduling policy it
/// wraps, and the actors it runs the policy's commands with.

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "caf/typed_response_promise.hpp"
#include "et/actors/roles/pool.hpp"
#include "et/roles/pool_policy.hpp"

namespace et::actors::pool_detail {

/// The pool's state.
struct pool_state {
  /// Declared so the state is no aggregate CAF would try to build from the self pointer.
  pool_state() = default;
  pool_setup setup;          ///< collaborators
  roles::pool_policy policy; ///< who runs what, and when it is over
  uint64_t generation = 0;   ///< counts executions; replies from an earlier one are dropped
  std::map<std::pair<size_t, size_t>, polecat_actor> workers; ///< by (lane, slot), spawned lazily
  std::map<int, chunk_sink> forwarders; ///< by subtask: relays its attempt's streamed bytes
  std::optional<caf::typed_response_promise<std::vector<roles::subtask_outcome>>> reply;
  static inline const char* name = "et.pool";
};

} // namespace et::actors::pool_detail
