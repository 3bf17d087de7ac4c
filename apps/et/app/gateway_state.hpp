#pragma once
/// Internal to the gateway's sources (gateway.cpp, gateway_count.cpp): the state its requests
/// share, and the endpoints that live in their own files.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "et/actors/gateway_calls.hpp"
#include "et/app/gateway.hpp"
#include "et/app/gateway_keys.hpp"
#include "et/gateway/meter.hpp"

namespace et::app {

/// What every request of one gateway shares.
struct http_gateway::state {
  gateway_setup setup;               ///< as started
  std::vector<std::string> secrets;  ///< scrubbed from every message a client sees
  std::atomic<int64_t> in_flight{0}; ///< requests waiting for the router
  std::atomic<uint64_t> next_id{actors::gateway_request_ids}; ///< request ids for the router
  std::atomic<bool> draining{false};                          ///< 503 from now on
  bool beyond_loopback = false;                 ///< keys always needed (checked at start too)
  std::unique_ptr<key_gate> keys;               ///< who may ask, and what they may spend
  std::unique_ptr<gateway::meter> metrics;      ///< what GET /metrics shows
  std::unique_ptr<actors::gateway_calls> calls; ///< carry the requests to the router
  const http::server* server = nullptr;         ///< set before it starts, for its connection count
};

/// The endpoint path Anthropic's token counting is served at.
inline constexpr std::string_view count_tokens_path = "/v1/messages/count_tokens";

/// POST /v1/messages/count_tokens (gateway_count.cpp): the input tokens of an Anthropic
/// messages body, counted by the first candidate of its model that can count. Free: the key's
/// model list applies, its budgets and rate limits do not.
void count_tokens(const std::shared_ptr<http_gateway::state>& st, const key_pass& who,
                  http::incoming in, std::shared_ptr<http::reply> out);

} // namespace et::app
