#pragma once
/// The gateway's first checks at the door: web pages (an Origin header, or, on
/// a loopback gateway, a Host that is not a loopback name) are refused before
/// anything else, and a gateway beyond loopback never runs open.

#include <string>

#include "et/gateway/errors.hpp"
#include "et/http/server.hpp"

namespace et::app {

/// Why `in` comes from a web page and is refused, or "" when it does not. A
/// gateway `beyond_loopback` is reached by public names and always needs a key
/// (which a page cannot have), so only Origin is checked there.
std::string browser_refusal(const http::incoming& in, bool beyond_loopback);

/// The 401 for a request that would run in open mode (no active key) on a
/// gateway beyond loopback: its last key was revoked while it ran.
gateway::client_error open_beyond_loopback();

/// The headers of an error response: JSON, Retry-After when it has one, and
/// x-should-retry: false for a spent budget.
http::header_list error_headers(const gateway::client_error& e);

/// Content-Type: application/json.
extern const http::header_list json_type;

} // namespace et::app
