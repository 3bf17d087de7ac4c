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

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

// The variables the key's source text references, as "$NAME". Only names are
// taken, following expand_env: "pa$$word" and the default of
// ${VAR:-sk-inline} are part of the key and must not be shown.
std::vector<std::string> referenced_vars(std::string_view source) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < source.size(); ++i) {
    if (source[i] != '$')
      continue;
    if (source[i + 1] == '$') {
      ++i;
    } else if (source[i + 1] == '{') {
      auto close = source.find('}', i + 2);
      if (close == std::string_view::npos)
        break;
      auto inner = source.substr(i + 2, close - i - 2);
      auto name = inner.substr(0, inner.find(":-"));
      if (!name.empty() && is_name_start(name[0])
          && std::all_of(name.begin(), name.end(), is_name_char))
        out.push_back("$" + std::string{name});
      i = close;
    } else if (is_name_start(source[i + 1])) {
      size_t end = i + 1;
      while (end < source.size() && is_name_char(source[end]))
        ++end;
      out.push_back("$" + std::string{source.substr(i + 1, end - i - 1)});
      i = end - 1;
    }
  }
  return out;
}

// Shows where a key came from without ever showing the key.
std::string key_state(const provider& p) {
  if (p.api_key.empty())
    return "no key";
  auto vars = referenced_vars(p.api_key_source);
  return vars.empty() ? "key set (inline)" : "key set (from " + join(vars, ", ") + ")";
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
