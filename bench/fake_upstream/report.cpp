#include "report.hpp"

#include <boost/json.hpp>

#include "encoding.hpp"

namespace et::fake::detail {

namespace json = boost::json;

stats stats_of(const server_state& state) {
  const auto& c = state.count;
  stats out;
  out.connections_accepted = c.connections.load();
  out.connections_refused = c.refused.load();
  for (size_t i = 0; i < endpoint_count; ++i) {
    auto n = c.by_endpoint[i].load();
    out.requests += n;
    out.requests_by_path[std::string{to_string(static_cast<endpoint>(i))}] = n;
  }
  for (size_t i = 0; i < fault_count; ++i) {
    auto n = c.by_fault[i].load();
    out.faults_injected += n;
    if (i != 0)
      out.faults_by_name[std::string{to_string(static_cast<fault>(i))}] = n;
  }
  out.held = state.holds.size();
  return out;
}

namespace {

json::object usage_json(const served_usage& u) {
  return {{"answers", u.answers},
          {"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens}};
}

} // namespace

std::string report_json(const server_state& state, bool with_texts) {
  auto s = stats_of(state);
  auto billed = state.served.snapshot();
  json::object faults;
  for (const auto& [name, n] : s.faults_by_name)
    faults[name] = n;
  json::object models;
  for (const auto& [model, u] : billed.models)
    models[model] = usage_json(u);
  auto served = usage_json(billed.total);
  served["models"] = std::move(models);
  json::object o{{"requests", s.requests},           {"connections", s.connections_accepted},
                 {"refused", s.connections_refused}, {"held", s.held},
                 {"faults", std::move(faults)},      {"served", std::move(served)}};
  if (with_texts) {
    json::array texts;
    for (const auto& [text, n] : billed.texts)
      texts.push_back(json::object{{"text", text}, {"count", n}});
    o["texts"] = std::move(texts);
  }
  return json_text(o);
}

} // namespace et::fake::detail
