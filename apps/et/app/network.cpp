#include "et/app/network.hpp"

#include <atomic>
#include <future>
#include <thread>

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/io/middleman.hpp"
#include "caf/logger.hpp"
#include "caf/openssl/manager.hpp"
#include "et/actors/detail/openssl_errors.hpp"
#include "et/actors/system_setup.hpp"
#include "et/routing/node.hpp"

namespace et::app {

namespace {

std::atomic<bool> abandoned{false};

struct command_config : caf::actor_system_config {
  command_config(const network_options& net, std::size_t workers,
                 std::shared_ptr<http::runtime> io) {
    actors::prepare_system(*this, actors::default_scheduling, workers, std::move(io));
    apply_network(*this, net);
  }
};

} // namespace

struct actor_host::parts {
  parts(const network_options& net, std::size_t workers, std::shared_ptr<http::runtime> io)
      : cfg(net, workers, std::move(io)), sys(cfg) {}
  command_config cfg;
  caf::actor_system sys;
};

actor_host::actor_host(const network_options& net, std::size_t workers,
                       std::shared_ptr<http::runtime> io)
    : parts_(std::make_unique<parts>(net, workers, std::move(io))), networked_(net.enabled),
      grace_(shutdown_grace) {}

actor_host::~actor_host() {
  if (!networked_)
    return; // parts_ goes with us: no middleman, nothing to get stuck
  // Actors finish here, unbounded (the ledger writer saves its last records);
  // only the modules' teardown, where the middleman can hang, is bounded.
  parts_->sys.await_all_actors_done();
  // The system's constructor made this thread hold its logger, and its
  // destructor waits for the logger to go: let go here, as the stopper
  // thread can only let go of its own reference.
  caf::logger::set_current_actor_system(nullptr);
  auto stopped = std::make_shared<std::promise<void>>();
  auto done = stopped->get_future();
  std::thread stopper{[p = std::move(parts_), stopped]() mutable {
    p.reset();
    stopped->set_value();
  }};
  if (done.wait_for(grace_) == std::future_status::ready) {
    stopper.join();
    return;
  }
  stopper.detach();
  abandoned = true;
}

caf::actor_system& actor_host::system() {
  return parts_->sys;
}

bool shutdown_abandoned() {
  return abandoned;
}

network_options client_network(const std::map<std::string, config::node>& nodes,
                               const config::network& heartbeats) {
  network_options out;
  out.enabled = !nodes.empty();
  out.heartbeats = heartbeats;
  for (const auto& [name, n] : nodes)
    if (n.tls.enabled()) {
      out.identity = n.tls;
      break;
    }
  return out;
}

network_options server_network(const config::server& server, const config::network& heartbeats) {
  return network_options{true, server.tls, heartbeats};
}

std::string identity_conflict(const config::settings& s) {
  auto client = client_network(s.nodes, s.network).identity;
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
  cfg.set("middleman.heartbeat-interval", caf::timespan{net.heartbeats.heartbeat});
  cfg.set("middleman.connection-timeout", caf::timespan{net.heartbeats.peer_timeout});
  // A certificate turns on peer verification against the CA: mutual TLS.
  cfg.openssl_certificate = net.identity.certificate;
  cfg.openssl_key = net.identity.key;
  cfg.openssl_cafile = net.identity.ca_file;
  cfg.openssl_passphrase = net.identity.passphrase;
}

} // namespace et::app
