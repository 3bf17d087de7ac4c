// The `nodes`, `server` and `network` sections: remote `et serve` nodes, this
// node, and the heartbeats between them.
#include "et/config/detail/sections.hpp"

#include <filesystem>

#include "et/util/url.hpp"

namespace et::config::detail {

namespace {

bool parse_address(const std::string& text, std::string& host, uint16_t& port) {
  auto parsed = parse_host_port(text);
  if (!parsed || parsed->host.empty())
    return false;
  host = parsed->host;
  port = parsed->port;
  return true;
}

void read_tls(reader& r, const located& at, tls_material& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"certificate", "key", "ca_file", "passphrase"});
  auto file = [&](const char* key, std::string& dest) {
    auto file_at = r.child(at, key);
    auto text = r.text(file_at);
    if (!text)
      return;
    dest = resolve_path(r.file(), *text, r.env());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(dest, ec))
      r.error(file_at.node, file_at.path, "file \"" + dest + "\" does not exist");
  };
  file("certificate", out.certificate);
  file("key", out.key);
  file("ca_file", out.ca_file);
  if (auto passphrase = r.text_with_env(r.child(at, "passphrase")))
    out.passphrase = passphrase->text;
  // Mutual TLS needs all three: our identity, its key, and the CA to check peers.
  if (out.certificate.empty() || out.key.empty() || out.ca_file.empty())
    r.error(at.node, at.path, "TLS needs certificate, key and ca_file (mutual TLS)");
}

void read_node(reader& r, const std::string& name, const located& at, node& out) {
  out.name = name;
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"address", "tls", "connect_timeout", "request_timeout"});
  auto address_at = r.child(at, "address");
  if (auto address = r.text(address_at)) {
    if (!parse_address(*address, out.host, out.port) || out.port == 0)
      r.error(address_at.node, address_at.path,
              "expected host:port with a port from 1 to 65535, got \"" + *address + "\"");
  } else {
    r.error(at.node, address_at.path, "missing address (host:port of the et serve node)");
  }
  auto tls_at = r.child(at, "tls");
  read_tls(r, tls_at, out.tls);
  // A node off loopback listens with TLS only, so plain TCP there reaches someone else: a
  // listener that would get the prompts and feed CAF's BASP parser, which trusts the sizes it
  // reads, without a certificate. (A missing tls, not an incomplete one, which read_tls names.)
  if (!out.host.empty() && !tls_at.node.IsDefined() && !is_loopback(out.host))
    r.error(address_at.node, address_at.path,
            "node " + name + " at " + out.host
                + " is not on loopback: it needs tls (et serve listens off loopback with "
                  "mutual TLS only)");
  out.connect_timeout = r.duration(r.child(at, "connect_timeout")).value_or(out.connect_timeout);
  out.request_timeout = r.duration(r.child(at, "request_timeout")).value_or(out.request_timeout);
}

void read_server(reader& r, const located& at, server& out) {
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"name", "listen", "tls", "max_in_flight", "insecure_plaintext"});
  out.name = r.text(r.child(at, "name")).value_or("");
  auto listen_at = r.child(at, "listen");
  if (auto listen = r.text(listen_at))
    if (!parse_address(*listen, out.host, out.port))
      r.error(listen_at.node, listen_at.path,
              "expected host:port with a port from 0 to 65535, got \"" + *listen + "\"");
  read_tls(r, r.child(at, "tls"), out.tls);
  out.max_in_flight =
      static_cast<int>(r.integer(r.child(at, "max_in_flight"), 1, 100'000).value_or(64));
  auto plaintext_at = r.child(at, "insecure_plaintext");
  out.insecure_plaintext = r.boolean(plaintext_at).value_or(false);
  // Without TLS any peer reaches CAF's BASP parser unauthenticated, which
  // trusts the sizes it reads: only this host's processes may be such peers.
  if (out.insecure_plaintext && out.tls.enabled())
    r.error(plaintext_at.node, plaintext_at.path,
            "server.insecure_plaintext and server.tls exclude each other");
  else if (out.insecure_plaintext && !is_loopback(out.host))
    r.error(plaintext_at.node, plaintext_at.path,
            "plain TCP is allowed only on a loopback address (127.0.0.0/8 or ::1), not "
                + out.host);
  else if (!is_loopback(out.host) && !out.tls.enabled())
    r.error(listen_at.node.IsDefined() ? listen_at.node : at.node, listen_at.path,
            "listening on " + out.host + " (not loopback) requires server.tls");
}

void read_heartbeats(reader& r, const located& at, network& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"heartbeat", "peer_timeout"});
  auto heartbeat_at = r.child(at, "heartbeat");
  auto timeout_at = r.child(at, "peer_timeout");
  out.heartbeat = r.duration(heartbeat_at).value_or(out.heartbeat);
  out.peer_timeout = r.duration(timeout_at).value_or(out.peer_timeout);
  if (out.heartbeat < milliseconds{10})
    r.error(heartbeat_at.node, heartbeat_at.path, "must be at least 10ms");
  // A timeout within one heartbeat would drop healthy peers between two beats.
  if (out.peer_timeout < 2 * out.heartbeat)
    r.error(timeout_at.node.IsDefined() ? timeout_at.node : at.node, timeout_at.path,
            "must be at least twice network.heartbeat");
}

bool same_identity(const tls_material& a, const tls_material& b) {
  return a.certificate == b.certificate && a.key == b.key && a.ca_file == b.ca_file
         && a.passphrase == b.passphrase;
}

} // namespace

void read_network(reader& r, const YAML::Node& root, settings& out) {
  const node* first_tls = nullptr;
  for (const auto& [key, value] : r.entries({get(root, "nodes"), "nodes"})) {
    auto name = key.node.as<std::string>();
    auto& n = out.nodes[name];
    read_node(r, name, value, n);
    if (!n.tls.enabled())
      continue;
    // CAF's OpenSSL module holds one identity per process, used for every
    // connection: nodes cannot each present their own certificate.
    if (!first_tls)
      first_tls = &n;
    else if (!same_identity(first_tls->tls, n.tls))
      r.error(r.child(value, "tls").node, value.path + ".tls",
              "every node must use the same TLS material (one client identity per process); "
              "nodes."
                  + first_tls->name + ".tls differs");
  }
  read_server(r, {get(root, "server"), "server"}, out.server);
  read_heartbeats(r, {get(root, "network"), "network"}, out.network);
}

} // namespace et::config::detail
