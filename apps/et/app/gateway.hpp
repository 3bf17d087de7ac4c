#pragma once
/// `et serve --http`: the gateway that speaks OpenAI and Anthropic to clients
/// and asks et's router behind them. It glues three parts: the HTTP server
/// (et/http/server), the client wire formats (et/gateway) and the desk actors
/// that carry each request to the router (et/actors/gateway_calls).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "caf/fwd.hpp"
#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"
#include "et/gateway/request.hpp"
#include "et/http/server.hpp"
#include "et/util/result.hpp"

namespace et::app {

/// What a gateway starts from.
struct gateway_setup {
  std::shared_ptr<const config::settings> settings; ///< aliases, roles, providers, secrets
  caf::actor_system* system = nullptr;              ///< runs the desk actors
  actors::router_actor router;                      ///< answers the requests
  http::server_options http;                        ///< address and limits
  gateway::limits bounds;                           ///< per-request bounds
  std::function<void(const std::string&)> log;      ///< one line per request (may be empty)
  std::filesystem::path keys_file;                  ///< the key store (the state dir's ledger)
};

/// A running gateway.
class http_gateway {
public:
  /// Starts listening; fails naming the address when it cannot.
  static result<std::unique_ptr<http_gateway>> start(gateway_setup setup);
  /// Stops it.
  ~http_gateway();
  http_gateway(const http_gateway&) = delete;
  http_gateway& operator=(const http_gateway&) = delete;

  /// The bound port.
  uint16_t port() const { return port_; }
  /// Keys not revoked (0: open mode, loopback only); nullopt when the store fails.
  std::optional<int64_t> active_keys() const;
  /// Requests waiting for the router now.
  int64_t in_flight() const;
  /// Refuses new requests (503) from now on; those in flight go on.
  void drain();
  /// Closes the listener, gives answers being written up to `grace` to reach
  /// their clients, then closes every connection (requests still waiting for
  /// the router are cancelled).
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{0});

  struct state; ///< internal, shared with the requests in flight

private:
  http_gateway() = default;
  std::shared_ptr<state> state_;
  std::unique_ptr<http::server> server_;
  uint16_t port_ = 0;
};

} // namespace et::app
