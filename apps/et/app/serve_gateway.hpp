#pragma once
/// `et serve --http`'s gateway as the serve command starts it: set up on the command's
/// runtime, logged through the command's stderr lock, and announced in one line.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "et/app/commands.hpp"
#include "et/app/gateway.hpp"
#include "et/app/runtime.hpp"
#include "et/http/server_tls.hpp"
#include "et/util/url.hpp"

namespace et::app {

/// What the gateway of `et serve` starts from.
struct serve_gateway {
  std::shared_ptr<const config::settings> settings; ///< as loaded
  role_runtime* runtime = nullptr;                  ///< its actor system and router
  host_port at;                                     ///< --http
  std::optional<http::server_tls_files> tls;        ///< --tls-cert/--tls-key, when given
  std::string flag;                                 ///< --http as given, for errors
  int max_connections = 512;                        ///< --max-connections
  int max_bodies_mib = 256;                         ///< --max-bodies-mib
  int threads = 1;                                  ///< its server I/O threads
  std::shared_ptr<std::mutex> log_mutex;            ///< one line at a time on stderr
};

/// Starts the gateway and says where it listens, its endpoints, models and keys; null after
/// saying on stderr why it could not start.
std::unique_ptr<http_gateway> start_serve_gateway(context& ctx, const serve_gateway& g);

} // namespace et::app
