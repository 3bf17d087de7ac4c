// The `nodes` and `server` sections: remote `et serve` nodes and this node.
#include "et/config/detail/sections.hpp"

#include <charconv>
#include <filesystem>

namespace et::config::detail {

namespace {

// "host:port" or "[v6]:port".
bool parse_address(const std::string& text, std::string& host, uint16_t& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return false;
  host = text.substr(0, colon);
  if (host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned value = 0;
  auto digits = std::string_view{text}.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size() || value > 65535)
    return false;
  port = static_cast<uint16_t>(value);
  return !host.empty();
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

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
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
  read_tls(r, r.child(at, "tls"), out.tls);
  out.connect_timeout = r.duration(r.child(at, "connect_timeout")).value_or(out.connect_timeout);
  out.request_timeout = r.duration(r.child(at, "request_timeout")).value_or(out.request_timeout);
}

void read_server(reader& r, const located& at, server& out) {
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"name", "listen", "tls", "max_in_flight"});
  out.name = r.text(r.child(at, "name")).value_or("");
  auto listen_at = r.child(at, "listen");
  if (auto listen = r.text(listen_at))
    if (!parse_address(*listen, out.host, out.port))
      r.error(listen_at.node, listen_at.path,
              "expected host:port with a port from 0 to 65535, got \"" + *listen + "\"");
  read_tls(r, r.child(at, "tls"), out.tls);
  out.max_in_flight =
      static_cast<int>(r.integer(r.child(at, "max_in_flight"), 1, 100'000).value_or(64));
  if (!is_loopback(out.host) && !out.tls.enabled())
    r.error(listen_at.node.IsDefined() ? listen_at.node : at.node, listen_at.path,
            "listening on " + out.host + " (not loopback) requires server.tls");
}

} // namespace

void read_network(reader& r, const YAML::Node& root, settings& out) {
  for (const auto& [key, value] : r.entries({get(root, "nodes"), "nodes"})) {
    auto name = key.node.as<std::string>();
    read_node(r, name, value, out.nodes[name]);
  }
  read_server(r, {get(root, "server"), "server"}, out.server);
}

} // namespace et::config::detail
