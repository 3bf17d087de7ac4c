#pragma once
/// The gateway's first checks at the door: web pages (an Origin header, or, on
/// a loopback gateway, a Host that is not a loopback name) are refused before
/// anything else, then requests without a good key, and a gateway beyond
/// loopback never runs open. They need only a request's head, so they run
/// before its body is read too.

#include <memory>
#include <optional>
#include <string>

#include "et/app/gateway_state.hpp"
#include "et/gateway/errors.hpp"
#include "et/http/server.hpp"

namespace et::app {

/// What a request is from its start line and headers: its path, its chat endpoint if any, the
/// protocol its errors speak, and (chat endpoints only) its count for /metrics.
struct arrival {
  std::string path;                                ///< the target without its query
  std::optional<gateway::surface> api;             ///< the chat endpoint, if it is one
  gateway::protocol p = gateway::protocol::openai; ///< the protocol of its errors
  std::optional<tally> counted;                    ///< chat endpoints only
  /// The count, or null for a request that is not counted.
  const tally* chat_tally() const { return counted ? &*counted : nullptr; }
};

/// What `in` is, from its head.
arrival arrive(const http::incoming& in);

/// The refusals that need only the head: a web page, then (for all but /health) a missing,
/// unknown or revoked key, or an open gateway beyond loopback. Answers them through `out`
/// (counted; key refusals logged too) and gives nothing; the key's pass otherwise.
std::optional<key_pass> door(const std::shared_ptr<http_gateway::state>& st,
                             const http::incoming& in, const arrival& a, http::reply& out);

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
