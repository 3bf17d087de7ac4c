#include "et/network.hpp"

#include "caf/actor_system_config.hpp"
#include "caf/io/middleman.hpp"
#include "caf/openssl/manager.hpp"
#include "et/actors/openssl_errors.hpp"
#include "et/routing/node.hpp"

namespace et::app {

network_options client_network(const config::settings& s) {
  network_options out;
  out.enabled = !s.nodes.empty();
  for (const auto& [name, n] : s.nodes)
    if (n.tls.enabled()) {
      out.identity = n.tls;
      break;
    }
  return out;
}

network_options server_network(const config::settings& s) {
  return network_options{true, s.server.tls};
}

std::string identity_conflict(const config::settings& s) {
  auto client = client_network(s).identity;
  if (!client.enabled() || !s.server.tls.enabled())
    return {};
  const auto& server = s.server.tls;
  if (client.certificate == server.certificate && client.key == server.key
      && client.ca_file == server.ca_file && client.passphrase == server.passphrase)
    return {};
  return "server.tls and the nodes' tls differ, but one process has one TLS identity "
         "(CAF's OpenSSL module): use the same material for both";
}

void apply_network(caf::actor_system_config& cfg, const network_options& net) {
  if (!net.enabled)
    return;
  // Keeps one connection's TLS error from dropping the others (see the header).
  actors::isolate_openssl_errors();
  cfg.load<caf::io::middleman>();
  cfg.load<caf::openssl::manager>(); // needs the middleman loaded first
  // Peers announcing another identifier are refused during the handshake.
  cfg.set("middleman.app-identifiers", std::vector<std::string>{routing::node_app_identifier()});
  // Without heartbeats a frozen host (as opposed to a dead one) is never noticed.
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds{1}});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds{10}});
  // A certificate turns on peer verification against the CA: mutual TLS.
  cfg.openssl_certificate = net.identity.certificate;
  cfg.openssl_key = net.identity.key;
  cfg.openssl_cafile = net.identity.ca_file;
  cfg.openssl_passphrase = net.identity.passphrase;
}

} // namespace et::app
