#pragma once
/// The gateway's errors as its clients see them: et's typed failures mapped to
/// the HTTP status and error JSON of the client's own protocol. Messages are
/// the router's (scrubbed at the provider); the caller scrubs configured
/// secrets once more before rendering.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "et/gateway/request.hpp"
#include "et/llm/errc.hpp"
#include "et/util/text.hpp" // printable(), for client bytes in messages

namespace et::gateway {

/// An error ready for a client.
struct client_error {
  int status = 500;          ///< the HTTP status
  std::string message;       ///< what happened, for people
  std::string param;         ///< the request field at fault ("" for none)
  int64_t retry_after_s = 0; ///< for Retry-After (0 = none)
  std::string code;          ///< et's class ("rate_limited"), or "" for the protocol's own
};

/// The client error for `f` in protocol `p`. `cause` is what made the last
/// candidate of an all_failed answer fail, when known: every candidate cooling
/// down is a 429 with Retry-After, an overloaded last candidate 503 (OpenAI)
/// or 529 (Anthropic), upstream failures 502, timeouts 504, bad input 400
/// naming the field, unknown models 404.
client_error error_for(protocol p, const failure& f, std::optional<errc> cause = std::nullopt);

/// The error JSON of protocol `p`: OpenAI's {"error":{message,type,param,code}}
/// or Anthropic's {"type":"error","error":{type,message}}.
std::string error_body(protocol p, const client_error& e);

/// The protocol's error type for `e` ("invalid_request_error", "overloaded_error", ...).
std::string error_type(protocol p, const client_error& e);

} // namespace et::gateway
