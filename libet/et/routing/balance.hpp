#pragma once
/// A role's pool as a load-balanced group. A request that names a role with a
/// pool (and no explicit target) tries the pool's members first, as equals:
/// the least loaded one leads, the others follow by load, and only then come
/// the role's model and fallbacks. Load is the number of requests a member
/// has in flight relative to the `max_concurrency` it was given, so a member
/// configured for four takes four times the share of a member configured for
/// one. Equal loads take turns, so idle members share the work in rotation.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace et::routing {

/// One member of a group as the balancer sees it.
struct member_load {
  int in_flight = 0; ///< requests it has in flight now
  int capacity = 1;  ///< requests it takes at once (its max_concurrency; at least 1)
};

/// The order to try `members` in (indices into it): least loaded first, equal
/// loads in turn starting at position `turn` modulo the group's size.
std::vector<size_t> balance_order(const std::vector<member_load>& members, uint64_t turn);

} // namespace et::routing
