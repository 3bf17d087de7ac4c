#pragma once
/// The one error enum of et, and `failure`, the value that carries it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace et {

/// What went wrong, in the classes the router acts on (see ARCHITECTURE.md).
/// Zero is reserved: CAF treats code 0 as "no error".
enum class errc : uint8_t {
  rate_limited = 1,   ///< 429 or a provider's rate-limit error: retry after a delay
  overloaded,         ///< 529 / 503 overload: retry with backoff, then fall back
  server_error,       ///< 5xx: retry with backoff, then fall back
  timeout,            ///< connect, first-byte, idle or total timeout
  network,            ///< refused, reset, DNS, TLS failure
  context_overflow,   ///< the prompt does not fit the model's window: fall back at once
  auth,               ///< 401/403 or an invalid key: fail fast
  bad_request,        ///< 400 the provider will never accept: fail fast
  not_found,          ///< unknown model or endpoint: fail fast
  stream_interrupted, ///< error event or cut connection after the first chunk
  provider_down,      ///< a provider actor exhausted its restart budget
  node_down,          ///< a remote node vanished
  budget_exceeded,    ///< a budget would be crossed: nothing was sent
  cancelled,          ///< the run or the requester went away
  invalid_config,     ///< a configuration error (file, key, value)
  invalid_input,      ///< a malformed value: response body, plan, argument
  unsupported,        ///< a feature this build or provider does not offer
  io_error,           ///< a local file or process operation failed
  all_failed,         ///< every candidate of a fallback chain failed (from a node: fall back)
  /// A 2xx answer that is not what its protocol says (malformed JSON, no answer in it,
  /// numbers out of bounds): the deployment's fault, not the request's. Not retried on it
  /// (it likely billed and would answer the same), fall back; a gateway answers 502.
  bad_response,
};

/// The enum's name as written in code, e.g. "rate_limited".
std::string_view to_string(errc code);

/// Parses a name produced by to_string(errc).
std::optional<errc> errc_from_string(std::string_view name);

/// Whether the router may retry the same deployment after this error.
bool is_retryable(errc code);

/// Whether the router may move on to the next alias of a fallback chain.
bool allows_fallback(errc code);

/// Whether this error says something about the deployment (it is limited, down, slow, refuses
/// its key, answers garbage) and so counts towards its cooldown. A request it cannot take (too
/// long for its window, malformed, asking for what it lacks) or one stopped on our side (a
/// budget, a cancel) does not: on a shared gateway, one client's oversized or malformed
/// requests would otherwise take the model away from every other client.
bool counts_toward_cooldown(errc code);

/// A typed error with the provider's own message (never a secret).
struct failure {
  errc code = errc::invalid_input;          ///< the class
  std::string message;                      ///< what happened, for humans
  std::chrono::milliseconds retry_after{0}; ///< server-requested delay, 0 if none
  int http_status = 0;                      ///< HTTP status when known, else 0
  bool unsent = false; ///< it never reached the provider (no address, connection or handshake)
  bool billed = false; ///< a request's final failure: one of its attempts was likely billed
};

/// "rate_limited: slow down (HTTP 429, retry after 2s)".
std::string to_string(const failure& f);

/// Shorthand for building a failure.
failure make_failure(errc code, std::string message);

} // namespace et
