#pragma once
/// Requests and answers as the router sees them: by role, with the identity of
/// the deployment that finally answered.

#include <cstdint>
#include <string>
#include <vector>

#include "et/llm/chat.hpp"
#include "et/llm/fallback.hpp"

namespace et {

/// A request for a role, as the router takes it.
struct role_request {
  uint64_t id = 0;      ///< the caller's id for it, used to cancel
  std::string role;     ///< e.g. "polecat" or a custom role
  std::string target;   ///< explicit alias, alias@node or provider/model ("" = the role's chain)
  chat_request request; ///< the conversation; its model field is filled per candidate
  /// The requester shows none of the model's thinking (a gateway client that did not ask for
  /// it): a stream's thinking pieces are not relayed, so a candidate that fails after thinking
  /// alone may still fall back (nothing reached the client yet).
  bool reasoning_unseen = false;
  /// The requester shows nothing of the answer before its end (`et run --json`): no piece is
  /// relayed, so a candidate that fails midway (a stream cut) may still fall back.
  bool text_unseen = false;
  bool operator==(const role_request&) const = default;
};

/// The router's answer: the response and who gave it.
struct routed_response {
  chat_response response; ///< the answer
  std::string alias;      ///< alias of the deployment that answered ("" for provider/model)
  std::string provider;   ///< provider name
  std::string model;      ///< model id
  int32_t attempts = 0;   ///< attempts made in total, the successful one included
  /// The fallbacks taken on the way, in order; the last one's `to` gave the answer.
  std::vector<fallback_taken> fallbacks;
  bool operator==(const routed_response&) const = default;
};

/// What the router tells its observer after answering a request by way of
/// fallbacks (the requester gets the same list in routed_response).
struct fallback_report {
  std::string role;                      ///< the role asked
  std::vector<fallback_taken> fallbacks; ///< in order; the last one's `to` answered
  bool operator==(const fallback_report&) const = default;
};

/// What the router tells its observer when it waits to ask a candidate again (a rate limit's
/// Retry-After, a backoff after a 5xx), so that a caller that shows nothing meanwhile (et run's
/// single mode) can say why it waits.
struct retry_notice {
  uint64_t id = 0;                  ///< the request (role_request::id)
  std::string role;                 ///< the role asked
  std::string from;                 ///< the candidate that failed and is asked again
  errc reason = errc::server_error; ///< why it failed
  int32_t http_status = 0;          ///< its HTTP status, 0 when unknown
  int64_t delay_ms = 0;             ///< the wait before it is asked again
  int32_t attempt = 0;              ///< the attempt on it that failed, from 1
  bool operator==(const retry_notice&) const = default;
};

/// One piece of a streamed answer, numbered per stream.
struct stream_chunk {
  uint64_t id = 0;  ///< the stream (request id)
  uint32_t seq = 0; ///< 0, 1, 2, ... without gaps
  chunk delta;      ///< the text
  bool operator==(const stream_chunk&) const = default;
};

} // namespace et
