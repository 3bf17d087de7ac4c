// Cross-section rules: every reference resolves, fallbacks make sense.
#include "et/config/detail/sections.hpp"

#include <set>

#include "et/util/text.hpp"

namespace et::config::detail {

namespace {

template <class Map>
std::vector<std::string> names_of(const Map& m) {
  std::vector<std::string> out;
  for (const auto& kv : m)
    out.push_back(kv.first);
  return out;
}

std::string unknown(const std::string& what, const std::string& name,
                    const std::vector<std::string>& candidates) {
  std::string msg = "unknown " + what + " \"" + name + "\"";
  if (auto guess = nearest(name, candidates))
    msg += "; did you mean \"" + *guess + "\"?";
  else if (candidates.empty())
    msg += " (none are defined)";
  return msg;
}

// The node a value came from: a scalar inside a list when possible, else the
// nearest enclosing node that exists, so the line number still helps.
YAML::Node pick(const YAML::Node& n, const YAML::Node& fallback) {
  return n.IsDefined() ? n : fallback;
}

class checker {
public:
  checker(reader& r, const settings& s) : r_(r), s_(s) {}

  // A model reference: alias, alias@node, or provider/model.
  void reference(const YAML::Node& at, const std::string& path, const std::string& ref) {
    if (auto sep = ref.find('@'); sep != std::string::npos) {
      auto node_name = ref.substr(sep + 1);
      if (sep == 0 || node_name.empty())
        r_.error(at, path, "expected alias@node, got \"" + ref + "\"");
      else if (!s_.nodes.count(node_name))
        r_.error(at, path, unknown("node", node_name, names_of(s_.nodes)));
      return;
    }
    if (s_.models.count(ref))
      return;
    if (auto slash = ref.find('/'); slash != std::string::npos && slash + 1 < ref.size()
                                    && s_.providers.count(ref.substr(0, slash)))
      return;
    r_.error(at, path, unknown("model alias", ref, names_of(s_.models)));
  }

  // provider + model id a reference resolves to, when it is local.
  std::optional<std::pair<std::string, std::string>> deployment(const std::string& ref) const {
    if (auto m = s_.models.find(ref); m != s_.models.end())
      return std::make_pair(m->second.provider, m->second.model);
    if (auto slash = ref.find('/');
        slash != std::string::npos && ref.find('@') == std::string::npos)
      return std::make_pair(ref.substr(0, slash), ref.substr(slash + 1));
    return std::nullopt;
  }

  void fallbacks(const YAML::Node& list, const YAML::Node& owner, const std::string& path,
                 const std::string& primary, const std::vector<std::string>& refs) {
    std::set<std::string> seen;
    auto primary_deployment = deployment(primary);
    for (size_t i = 0; i < refs.size(); ++i) {
      auto at = pick(list.IsSequence() ? get(list, i) : list, owner);
      auto p = index_path(path, i);
      reference(at, p, refs[i]);
      if (!seen.insert(refs[i]).second)
        r_.error(at, p, "duplicate fallback \"" + refs[i] + "\"");
      else if (refs[i] == primary)
        r_.error(at, p, "fallback \"" + refs[i] + "\" is the role's own primary model");
      else if (auto d = deployment(refs[i]); d && primary_deployment && *d == *primary_deployment)
        r_.error(at, p,
                 "fallback \"" + refs[i]
                     + "\" resolves to the same provider and model as the primary \"" + primary
                     + "\"");
    }
  }

  void role(const YAML::Node& node, const std::string& path, const config::role& r) {
    if (!r.model.empty())
      reference(pick(get(node, "model"), node), key_path(path, "model"), r.model);
    fallbacks(get(node, "fallbacks"), node, key_path(path, "fallbacks"), r.model, r.fallbacks);
    auto pool = get(node, "pool");
    for (size_t i = 0; i < r.pool.size(); ++i) {
      auto member = pool.IsSequence() ? get(pool, i) : YAML::Node{};
      auto at = member.IsMap() ? pick(get(member, "model"), member) : pick(member, node);
      if (!r.pool[i].model.empty())
        reference(at, index_path(key_path(path, "pool"), i), r.pool[i].model);
    }
  }

private:
  reader& r_;
  const settings& s_;
};

void validate_models(reader& r, const YAML::Node& root, const settings& s) {
  for (const auto& [name, m] : s.models) {
    auto node = get(get(root, "models"), name);
    auto p = s.providers.find(m.provider);
    if (p != s.providers.end() && m.thinking != thinking_style::unknown
        && p->second.type != provider_type::anthropic)
      r.error(pick(get(node, "thinking"), node), "models." + name + ".thinking",
              "thinking is passed on to anthropic providers only (provider " + m.provider + " is "
                  + std::string{to_string(p->second.type)} + ")");
    if (m.provider.empty() || p != s.providers.end())
      continue;
    r.error(pick(get(node, "provider"), node), "models." + name + ".provider",
            unknown("provider", m.provider, names_of(s.providers)));
  }
}

} // namespace

void validate(reader& r, const YAML::Node& root, settings& s) {
  if (s.providers.empty())
    r.error(pick(get(root, "providers"), root), "providers", "at least one provider is required");
  validate_models(r, root, s);
  checker check{r, s};
  for (const auto& [name, role] : s.roles)
    check.role(get(get(root, "roles"), name), "roles." + name, role);
  for (const auto& [name, role] : s.specialists)
    check.role(get(get(root, "specialists"), name), "specialists." + name, role);
  auto defaults = get(root, "defaults");
  if (!s.defaults.model.empty())
    check.reference(pick(get(defaults, "model"), root), "defaults.model", s.defaults.model);
  check.fallbacks(get(defaults, "fallbacks"), pick(defaults, root), "defaults.fallbacks",
                  s.defaults.model, s.defaults.fallbacks);
}

} // namespace et::config::detail
