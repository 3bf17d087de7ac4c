#include "et/gateway/models.hpp"

#include "et/util/text.hpp"

namespace et::gateway {

result<route> route_model(const config::settings& s, const std::string& model) {
  if (s.roles.count(model))
    return route{model, ""};
  if (s.models.count(model))
    return route{std::string{gateway_role}, model};
  if (auto slash = model.find('/'); slash != std::string::npos && slash > 0
                                    && slash + 1 < model.size()
                                    && s.providers.count(model.substr(0, slash)))
    return route{std::string{gateway_role}, model};
  if (auto at = model.find('@'); at != std::string::npos && at > 0
                                 && s.models.count(model.substr(0, at))
                                 && s.nodes.count(model.substr(at + 1)))
    return route{std::string{gateway_role}, model};
  std::vector<std::string> names;
  for (const auto& m : offered_models(s))
    names.push_back(m.id);
  auto text =
      "unknown model \"" + printable(model) + "\": not a role, an alias or provider/model here";
  if (auto guess = nearest(model, names))
    text += "; did you mean \"" + *guess + "\"?";
  return make_failure(errc::not_found, text + " (GET /v1/models lists them)");
}

std::vector<offered_model> offered_models(const config::settings& s) {
  std::vector<offered_model> out;
  // A role shadows an alias of the same name (route_model tries roles first).
  for (const auto& [name, alias] : s.models)
    out.push_back({name, s.roles.count(name) ? "role" : "alias"});
  for (const auto& [name, r] : s.roles)
    if (!s.models.count(name))
      out.push_back({name, "role"});
  return out;
}

} // namespace et::gateway
