#pragma once
/// What `GET /metrics` shows about the gateway's traffic: its families on a
/// metric_registry, updated per request. Model labels come from the
/// configuration (roles, aliases and their provider/model) and any other name
/// is folded into "other": a client cannot grow the registry by inventing
/// model names. No label ever carries a key, a key's name or request text.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "et/config/settings.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/metrics.hpp"
#include "et/llm/routed.hpp"

namespace et::gateway {

/// The model label of a request that was answered before its body was decoded.
inline constexpr std::string_view no_model = "none";

/// "2xx", "4xx", "5xx" (any status is folded into its hundred).
std::string status_class(int status);

/// et's error class (an errc name) of an answer the gateway gave: the error's
/// own code when it is one, else by status (401/403 auth, 404 not_found, 429
/// rate_limited, 503 overloaded, other 4xx invalid_input, other 5xx server_error).
std::string error_class(const client_error& e);

/// The gateway's metrics.
class meter {
public:
  using seconds = std::chrono::duration<double>;

  /// Families for the models of `s`.
  explicit meter(const config::settings& s);

  /// The label for a model the client named: itself when configured, else "other".
  std::string model_label(const std::string& model) const;

  /// One answer on a chat endpoint: its status and its error class ("" for a success; a
  /// stream cut after its head went out is a 2xx with a class). `model` is a label
  /// (model_label() or no_model).
  void request(protocol p, const std::string& model, int status, std::string_view error_class);

  /// What an answer from the router shows: tokens and dollars by the model that
  /// answered, the retries it took, and the fallbacks by reason.
  void answered(const routed_response& r);

  /// The latencies of one chat request: `total` from its arrival to its last byte
  /// queued; `router` the part spent waiting for the router (when it was asked).
  void timed(protocol p, bool stream, seconds total, std::optional<seconds> router);

  /// The time from a streamed request's arrival to its first byte of content.
  void first_token(protocol p, seconds ttft);

  /// The exposition text, with the gauges read now (the server's when it runs).
  std::string render(int64_t in_flight, std::optional<std::size_t> connections,
                     std::optional<std::size_t> body_bytes = std::nullopt);

private:
  label_folder models_;
  metric_registry reg_;
  metric_registry::family_id requests_, errors_, tokens_, usd_, retries_, fallbacks_, in_flight_,
      connections_, body_bytes_, total_, router_, overhead_, ttft_;
};

} // namespace et::gateway
