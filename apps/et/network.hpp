#pragma once
/// Networking for the commands that talk to `et serve` nodes or are one:
/// which TLS identity this process presents, and the CAF settings (middleman,
/// OpenSSL module, app identifier, heartbeats) its actor system needs.

#include <string>

#include "caf/fwd.hpp"
#include "et/config/settings.hpp"

namespace et::app {

/// What networking an actor system gets.
struct network_options {
  bool enabled = false;          ///< load CAF's middleman and OpenSSL module
  config::tls_material identity; ///< certificate, key and CA this process uses (may be empty)
};

/// For a caller: networking when nodes are configured, with the TLS material
/// of the first node that has some (the loader checks that they all agree).
network_options client_network(const config::settings& s);

/// For `et serve`: networking with the server's TLS material.
network_options server_network(const config::settings& s);

/// "" when the server's and the nodes' TLS material can share one process
/// (CAF's OpenSSL module has one identity); otherwise why not.
std::string identity_conflict(const config::settings& s);

/// Loads the modules into `cfg` and sets the app identifier (et/<major>),
/// heartbeats and connection timeout so that a frozen peer is noticed, and
/// the TLS files. Must run before the actor system is constructed.
void apply_network(caf::actor_system_config& cfg, const network_options& net);

} // namespace et::app
