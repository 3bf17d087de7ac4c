#include "et/app/gateway_door.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "et/util/url.hpp"

namespace et::app {

namespace {

// Whether `host` (a Host header: name or address, maybe with a port) names this
// host by loopback. "" passes: only HTTP/1.0 clients omit it, and browsers never do.
bool loopback_host(std::string_view host) {
  if (host.empty())
    return true;
  std::string name{host};
  if (name.front() == '[') {
    auto close = name.find(']');
    name = close == std::string::npos ? name : name.substr(1, close - 1);
  } else if (std::count(name.begin(), name.end(), ':') == 1) {
    name = name.substr(0, name.find(':'));
  }
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name == "localhost" || is_loopback(name);
}

} // namespace

// Without keys the gateway trusts every process on this host, but never web
// pages: a page can make the browser POST to loopback without a CORS
// preflight (the request runs even if the page cannot read the answer), and
// DNS rebinding lets it read answers under its own host name.
std::string browser_refusal(const http::incoming& in, bool beyond_loopback) {
  if (in.has_header("origin"))
    return "requests from web pages (with an Origin header) are refused: a page must not spend "
           "through this gateway";
  if (!beyond_loopback && !loopback_host(in.header("host")))
    return "Host \"" + printable(in.header("host"))
           + "\" is not a loopback name or address: refused (DNS rebinding)";
  return {};
}

gateway::client_error open_beyond_loopback() {
  return {401,
          "this gateway listens beyond loopback and has no active key, so it serves no one "
          "(et keys create NAME makes one)",
          "", 0, "invalid_api_key"};
}

const http::header_list json_type{{"Content-Type", "application/json"}};

http::header_list error_headers(const gateway::client_error& e) {
  auto h = json_type;
  if (e.retry_after_s > 0)
    h.emplace_back("Retry-After", std::to_string(e.retry_after_s));
  // Both official SDKs retry a 429 unless told not to: a spent budget does not come back
  // in seconds.
  if (e.code == "budget_exceeded")
    h.emplace_back("x-should-retry", "false");
  return h;
}

arrival arrive(const http::incoming& in) {
  arrival a;
  a.path = path_of(in.target);
  a.api = chat_surface(a.path);
  // A chat endpoint's errors are its API's, whatever headers the client sends.
  a.p = a.api ? gateway::protocol_of(*a.api) : protocol_for(a.path, in);
  // Only the chat endpoints are counted in requests and errors.
  if (a.api) {
    a.counted.emplace();
    a.counted->proto = a.p;
  }
  return a;
}

std::optional<key_pass> door(const std::shared_ptr<http_gateway::state>& st,
                             const http::incoming& in, const arrival& a, http::reply& out) {
  if (auto why = browser_refusal(in, st->beyond_loopback); !why.empty()) {
    send_error(st, out, a.p, {403, why, "", 0, "forbidden"}, a.chat_tally(),
               in.method + " " + a.path);
    return std::nullopt;
  }
  if (a.path == "/health")
    return key_pass{};
  // Everything but /health needs the key once keys exist.
  auto who = st->keys->authenticate(in);
  if (auto* pass = std::get_if<key_pass>(&who); pass && pass->name.empty() && st->beyond_loopback)
    who = open_beyond_loopback();
  if (auto* e = std::get_if<gateway::client_error>(&who)) {
    send_error(st, out, a.p, std::move(*e), a.chat_tally(), in.method + " " + a.path);
    return std::nullopt;
  }
  return std::get<key_pass>(std::move(who));
}

} // namespace et::app
