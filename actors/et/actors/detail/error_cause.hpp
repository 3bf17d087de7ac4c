#pragma once
/// The cause inside an errc::all_failed error: when the router gives up on a
/// request whose only candidate failed (a pool member's explicit target), the
/// caller still learns why, typed (an auth refusal, a rate limit...), to report
/// the fallback it takes next. Apart from errors.hpp so adding it recompiles
/// only its users.

#include <optional>

#include "caf/error.hpp"
#include "et/llm/errc.hpp"

namespace et::actors {

/// What made the last candidate fail: its class and HTTP status (0 = unknown).
struct error_cause {
  errc code = errc::server_error; ///< the class
  int http_status = 0;            ///< the status, when known
};

/// to_caf(f) carrying `cause` as well (from_caf still reads it as `f`).
caf::error to_caf(const failure& f, const error_cause& cause);

/// The cause inside `e`, when it carries one.
std::optional<error_cause> cause_of(const caf::error& e);

} // namespace et::actors
