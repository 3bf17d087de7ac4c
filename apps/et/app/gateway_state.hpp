#pragma once
/// Internal to the gateway's sources (gateway*.cpp): the state its requests
/// share, and the endpoints that live in their own files.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "et/actors/gateway_calls.hpp"
#include "et/app/gateway.hpp"
#include "et/app/gateway_keys.hpp"
#include "et/config/places.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/meter.hpp"
#include "et/gateway/renderer.hpp"

namespace et::app {

/// What every request of one gateway shares.
struct http_gateway::state {
  gateway_setup setup;               ///< as started
  std::vector<std::string> secrets;  ///< scrubbed from every message a client sees
  std::vector<config::place> places; ///< upstreams' addresses, hidden from routed errors
  std::atomic<int64_t> in_flight{0}; ///< requests waiting for the router
  std::atomic<uint64_t> next_id{actors::gateway_request_ids}; ///< request ids for the router
  std::atomic<bool> draining{false};                          ///< 503 from now on
  bool beyond_loopback = false;                 ///< keys always needed (checked at start too)
  std::unique_ptr<key_gate> keys;               ///< who may ask, and what they may spend
  std::unique_ptr<gateway::meter> metrics;      ///< what GET /metrics shows
  std::unique_ptr<actors::gateway_calls> calls; ///< carry the requests to the router
  const http::server* server = nullptr;         ///< set before it starts, for its connection count
};

/// The path of a request target, its query left off.
std::string path_of(const std::string& target);

/// The chat endpoint at `path`, if it is one.
std::optional<gateway::surface> chat_surface(const std::string& path);

/// Whether `path` is one of Anthropic's endpoints.
bool anthropic_path(const std::string& path);

/// The protocol of a request's errors: Anthropic's endpoints, or any request that carries
/// anthropic-version (its SDKs always send it), get Anthropic's shapes; everything else OpenAI's.
gateway::protocol protocol_for(const std::string& path, const http::incoming& in);

using clock_type = std::chrono::steady_clock; ///< the gateway's clock for latencies

/// One chat request as /metrics sees it, counted once, when its answer is queued.
struct tally {
  gateway::protocol proto = gateway::protocol::openai; ///< the client's protocol
  std::string model{gateway::no_model};                ///< a label: configured names only
  bool stream = false;                                 ///< streamed
  clock_type::time_point t0 = clock_type::now();       ///< arrival, body read
  std::optional<clock_type::time_point> asked;         ///< the router was asked
  std::optional<clock_type::time_point> answered;      ///< the router answered
};

/// Counts chat request `t` for /metrics with its status (and error class, given `e`).
void count(const std::shared_ptr<http_gateway::state>& st, const tally& t, int status,
           const gateway::client_error* e);

/// Who answered: "alias (provider/model)", or "provider/model" without an alias.
std::string answered_by(const routed_response& r);

/// Sends `e` in protocol `p`, its message scrubbed of secrets; a chat request (`counted` set)
/// is counted for /metrics first. With `what` ("POST /v1/messages key=ci model=x"), the
/// log gets its line: every request answered gets one.
void send_error(const std::shared_ptr<http_gateway::state>& st, http::reply& out,
                gateway::protocol p, gateway::client_error e, const tally* counted = nullptr,
                std::string_view what = {});

/// The log's line for a request refused with `e`: "WHAT -> STATUS code: message".
void log_refusal(const std::shared_ptr<http_gateway::state>& st, std::string_view what,
                 const gateway::client_error& e);

/// Answers request `in` (its body read, or a head with a body no route reads): the door
/// (browser refusals, the key), then its route (gateway.cpp).
void handle(const std::shared_ptr<http_gateway::state>& st, http::incoming in,
            std::shared_ptr<http::reply> out);

/// The server's check of a head whose body is still to come: true when the body is to be read
/// (a POST to a chat or counting endpoint that passed the door); false once answered.
bool admit_head(const std::shared_ptr<http_gateway::state>& st, const http::incoming& head,
                const std::shared_ptr<http::reply>& out);

/// The endpoint path Anthropic's token counting is served at.
inline constexpr std::string_view count_tokens_path = "/v1/messages/count_tokens";

/// POST /v1/messages/count_tokens (gateway_count.cpp): the input tokens of an Anthropic
/// messages body, counted by the first candidate of its model that can count. Free: the key's
/// model list applies, its budgets and rate limits do not.
void count_tokens(const std::shared_ptr<http_gateway::state>& st, const key_pass& who,
                  http::incoming in, std::shared_ptr<http::reply> out);

} // namespace et::app
