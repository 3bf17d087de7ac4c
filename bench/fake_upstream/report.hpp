#pragma once
/// The counters and the billed usage of a server, as server::snapshot() and
/// GET /fake/report give them. Internal to the fake upstream.

#include <string>

#include "server.hpp"
#include "state.hpp"

namespace et::fake::detail {

/// The counters of `state` now.
stats stats_of(const server_state& state);

/// GET /fake/report's body: {"requests","connections","refused","held","faults":{name:n},
/// "served":{"answers","prompt_tokens","completion_tokens","models":{model:{...}}},
/// "texts":[{"text","count"}]} (texts only when `with_texts`).
std::string report_json(const server_state& state, bool with_texts);

} // namespace et::fake::detail
