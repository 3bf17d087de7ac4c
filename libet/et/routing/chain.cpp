#include "et/routing/chain.hpp"

#include <algorithm>

namespace et::routing {

std::string deployment::label() const {
  auto where = provider + "/" + model;
  if (!node.empty())
    return alias + "@" + node;
  return alias.empty() ? where : alias + " (" + where + ")";
}

std::string deployment::key() const {
  return node.empty() ? provider + "/" + model : alias + "@" + node;
}

namespace {

// The first engaged value in precedence order.
template <class T>
std::optional<T> first_of(std::initializer_list<std::optional<T>> values) {
  for (const auto& v : values)
    if (v)
      return v;
  return std::nullopt;
}

chat_request apply_options(const config::settings& s, const config::role& role,
                           const config::model_alias* alias, chat_request req) {
  std::optional<int32_t> alias_max = alias ? alias->max_tokens : std::nullopt;
  std::optional<double> alias_temp = alias ? alias->temperature : std::nullopt;
  req.max_tokens = first_of<int32_t>(
      {req.max_tokens, role.max_tokens, alias_max, std::optional<int32_t>{s.defaults.max_tokens}});
  req.temperature =
      first_of<double>({req.temperature, role.temperature, alias_temp, s.defaults.temperature});
  if (alias) {
    req.top_p = first_of<double>({req.top_p, alias->top_p});
    req.num_ctx = first_of<int32_t>({req.num_ctx, alias->num_ctx});
    if (req.keep_alive.empty())
      req.keep_alive = alias->keep_alive;
    req.thinking.takes = alias->thinking;
  }
  return req;
}

} // namespace

result<candidate> resolve_reference(const config::settings& s, const config::role& role,
                                    const std::string& ref, const chat_request& base) {
  candidate out;
  if (auto at = ref.find('@'); at != std::string::npos) {
    out.where = deployment{ref.substr(0, at), "", "", ref.substr(at + 1)};
    out.request = apply_options(s, role, nullptr, base);
    // The node resolves the alias with its own models; the request names it.
    out.request.model = out.where.alias;
    return out;
  }
  if (auto m = s.models.find(ref); m != s.models.end()) {
    out.where = deployment{ref, m->second.provider, m->second.model, ""};
    out.request = apply_options(s, role, &m->second, base);
  } else if (auto slash = ref.find('/');
             slash != std::string::npos && s.providers.count(ref.substr(0, slash))) {
    out.where = deployment{"", ref.substr(0, slash), ref.substr(slash + 1), ""};
    out.request = apply_options(s, role, nullptr, base);
  } else {
    return make_failure(errc::not_found, "unknown model alias \"" + ref + "\"");
  }
  out.request.model = out.where.model;
  return out;
}

result<std::vector<candidate>> resolve_chain(const config::settings& s, const std::string& role,
                                             const std::string& target, const chat_request& base) {
  auto r = s.role_or_default(role);
  // Each reference with its pool capacity (0: not a pool member).
  std::vector<std::pair<std::string, int>> refs;
  if (!target.empty()) {
    refs.emplace_back(target, 0);
  } else {
    for (const auto& m : r.pool)
      refs.emplace_back(m.model, std::max(m.max_concurrency, 1));
    if (!r.model.empty())
      refs.emplace_back(r.model, 0);
    for (const auto& f : r.fallbacks)
      refs.emplace_back(f, 0);
  }
  if (refs.empty())
    return make_failure(errc::invalid_config,
                        "role \"" + role + "\" has no model and defaults.model is not set");
  std::vector<candidate> out;
  for (const auto& [ref, capacity] : refs) {
    auto c = resolve_reference(s, r, ref, base);
    if (!c)
      return c.error();
    c->pool_capacity = capacity;
    bool seen = false;
    for (const auto& existing : out)
      seen = seen || existing.where == c->where;
    if (!seen)
      out.push_back(std::move(*c));
  }
  return out;
}

} // namespace et::routing
