#include "et/config/summary.hpp"

#include <algorithm>
#include <sstream>

#include "et/util/text.hpp"

namespace et::config {

namespace {

std::string pad(std::string s, size_t width) {
  if (s.size() < width)
    s.append(width - s.size(), ' ');
  return s;
}

template <class Map>
size_t widest(const Map& m) {
  size_t w = 0;
  for (const auto& kv : m)
    w = std::max(w, kv.first.size());
  return w + 2;
}

// Shows where a key came from without ever showing the key.
std::string key_state(const provider& p) {
  if (p.api_key.empty())
    return "no key";
  bool from_env = p.api_key_source.find('$') != std::string::npos;
  return from_env ? "key set (from " + p.api_key_source + ")" : "key set (inline)";
}

// Anthropic and Gemini send the key in their own headers, whatever auth_type says.
std::string auth_scheme(const provider& p) {
  if (p.type == provider_type::anthropic)
    return p.api_key.empty() ? "none" : "x-api-key";
  if (p.type == provider_type::gemini)
    return p.api_key.empty() ? "none" : "x-goog-api-key";
  return std::string{to_string(p.auth)};
}

void roles(std::ostringstream& out, const char* title, const std::map<std::string, role>& rs) {
  if (rs.empty())
    return;
  out << title << " (" << rs.size() << "):\n";
  auto w = widest(rs);
  for (const auto& [name, r] : rs) {
    out << "  " << pad(name, w) << r.model;
    if (!r.fallbacks.empty())
      out << "  fallbacks: " << join(r.fallbacks, ", ");
    if (!r.pool.empty()) {
      std::vector<std::string> members;
      for (const auto& m : r.pool)
        members.push_back(m.max_concurrency > 1 ? m.model + " x" + std::to_string(m.max_concurrency)
                                                : m.model);
      out << "  pool: " << join(members, ", ");
    }
    if (!r.description.empty())
      out << "  (" << r.description << ")";
    out << "\n";
  }
}

} // namespace

std::string describe(const settings& s) {
  std::ostringstream out;
  out << "providers (" << s.providers.size() << "):\n";
  auto w = widest(s.providers);
  for (const auto& [name, p] : s.providers) {
    out << "  " << pad(name, w) << pad(std::string{to_string(p.type)}, 11);
    if (p.type == provider_type::mock)
      out << "in-process, mode " << p.mock.mode;
    else
      out << p.base_url << "  auth " << auth_scheme(p) << ", " << key_state(p);
    out << "\n";
  }
  out << "models (" << s.models.size() << "):\n";
  w = widest(s.models);
  for (const auto& [name, m] : s.models)
    out << "  " << pad(name, w) << m.provider << "/" << m.model << "\n";
  roles(out, "roles", s.roles);
  roles(out, "specialists", s.specialists);
  if (!s.defaults.model.empty())
    out << "defaults: " << s.defaults.model
        << (s.defaults.fallbacks.empty() ? "" : "  fallbacks: " + join(s.defaults.fallbacks, ", "))
        << "\n";
  if (!s.nodes.empty()) {
    out << "nodes (" << s.nodes.size() << "):\n";
    w = widest(s.nodes);
    for (const auto& [name, n] : s.nodes)
      out << "  " << pad(name, w) << n.host << ":" << n.port
          << (n.tls.enabled() ? "  mutual TLS" : "  plain TCP") << "\n";
  }
  return out.str();
}

} // namespace et::config
