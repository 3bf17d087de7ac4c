#pragma once
/// Networking for the commands that talk to `et serve` nodes or are one:
/// which TLS identity this process presents, and the CAF settings (middleman,
/// OpenSSL module, app identifier, heartbeats) its actor system needs.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "caf/fwd.hpp"
#include "et/actors/system_setup.hpp"
#include "et/config/settings.hpp"

namespace et::app {

/// What networking an actor system gets.
struct network_options {
  bool enabled = false;          ///< load CAF's middleman and OpenSSL module
  config::tls_material identity; ///< certificate, key and CA this process uses (may be empty)
  config::network heartbeats;    ///< how frozen peers are noticed
};

/// For a caller: networking when `nodes` are configured, with the TLS material
/// of the first node that has some (the loader checks that they all agree).
network_options client_network(const std::map<std::string, config::node>& nodes,
                               const config::network& heartbeats);

/// For `et serve`: networking with the server's TLS material.
network_options server_network(const config::server& server, const config::network& heartbeats);

/// "" when the server's and the nodes' TLS material can share one process
/// (CAF's OpenSSL module has one identity); otherwise why not.
std::string identity_conflict(const config::settings& s);

/// Loads the modules into `cfg` and sets the app identifier (et/<major>),
/// heartbeats and connection timeout so that a frozen peer is noticed, and
/// the TLS files. Must run before the actor system is constructed.
void apply_network(caf::actor_system_config& cfg, const network_options& net);

/// How long a networked actor system may take to stop.
inline constexpr std::chrono::seconds shutdown_grace{5};

/// The actor system of a command: et's message types, `workers` scheduler
/// threads and the networking `net` asks for. Its shutdown is bounded when networked:
/// CAF 0.17.6's middleman spins forever on a TLS handshake whose peer froze
/// (SIGSTOP, a hung host), and its stop() would then never return.
class actor_host {
public:
  /// Starts the system with `workers` scheduler threads; given `io` (a driven runtime), they
  /// run its I/O as well (actors::prepare_system).
  explicit actor_host(const network_options& net, std::size_t workers = actors::scheduler_threads,
                      std::shared_ptr<http::runtime> io = nullptr);
  /// Stops the system; a networked one gets its grace (shutdown_grace), then is abandoned.
  ~actor_host();
  actor_host(const actor_host&) = delete;
  actor_host& operator=(const actor_host&) = delete;

  /// The system.
  caf::actor_system& system();

  /// How long a networked system may take to stop (a command bounded by a --timeout of its
  /// own must not wait longer for a node frozen in its handshake).
  void set_shutdown_grace(std::chrono::milliseconds grace) { grace_ = grace; }

private:
  struct parts;
  std::unique_ptr<parts> parts_;
  bool networked_;
  std::chrono::milliseconds grace_;
};

/// True once an actor system was abandoned at shutdown: its threads still
/// run, so the process must end with std::_Exit (main does) instead of
/// running static destructors under them.
bool shutdown_abandoned();

} // namespace et::app
