#include "et/config/places.hpp"

#include <algorithm>
#include <map>

#include "et/util/url.hpp"

namespace et::config {

namespace {

// Adds `text` shown as `shown`; a text two upstreams share names neither.
void add(std::map<std::string, std::string>& out, const std::string& text,
         const std::string& shown) {
  if (text.empty())
    return;
  auto [at, fresh] = out.emplace(text, shown);
  if (!fresh && at->second != shown)
    at->second = "<an upstream>";
}

// A byte that continues a host name or an address: the match is part of a longer one.
bool continues_name(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
         || c == '-' || c == '_';
}

// Whether `host` alone would be hidden: an address or a dotted name, and not a name et's
// own messages use ("vllm" at http://vllm:8000 is also the provider's name in them).
bool hidden_alone(const std::string& host, const settings& s) {
  return host.find_first_of(".:") != std::string::npos && !s.providers.contains(host)
         && !s.nodes.contains(host) && !s.models.contains(host)
         && std::none_of(s.models.begin(), s.models.end(),
                         [&](const auto& m) { return m.second.model == host; });
}

} // namespace

std::vector<place> upstream_places(const settings& s) {
  std::map<std::string, std::string> found;
  auto note = [&](const std::string& host, uint16_t port, const std::string& what) {
    add(found, host_and_port(host, port), "<" + what + ">");
    if (hidden_alone(host, s))
      add(found, host, "<host of " + what + ">");
  };
  for (const auto& [name, p] : s.providers)
    if (auto u = parse_url(p.base_url); u)
      note(u->host, u->port, "provider " + name);
  for (const auto& [name, n] : s.nodes)
    note(n.host, n.port, "node " + name);
  std::vector<place> out{found.begin(), found.end()};
  std::stable_sort(out.begin(), out.end(),
                   [](const place& a, const place& b) { return a.first.size() > b.first.size(); });
  return out;
}

std::string hide_places(std::string_view message, const std::vector<place>& places) {
  std::string out;
  out.reserve(message.size());
  for (size_t i = 0; i < message.size();) {
    const place* hit = nullptr;
    if (i == 0 || !continues_name(message[i - 1]))
      for (const auto& p : places) {
        auto end = i + p.first.size();
        if (message.compare(i, p.first.size(), p.first) == 0
            && (end == message.size() || !continues_name(message[end]))) {
          hit = &p;
          break;
        }
      }
    if (hit) {
      out += hit->second;
      i += hit->first.size();
    } else {
      out += message[i++];
    }
  }
  return out;
}

} // namespace et::config
