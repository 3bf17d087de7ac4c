#include "et/routing/node.hpp"

#include <unistd.h>

#include <algorithm>

namespace et::routing {

std::string node_app_identifier() {
  return "et/" + std::to_string(node_protocol_major);
}

std::string node_name(const config::server& server) {
  if (!server.name.empty())
    return server.name;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    return "et-node";
  return host;
}

std::vector<model_info> node_aliases(const config::settings& s) {
  std::vector<model_info> out;
  for (const auto& [name, alias] : s.models)
    out.push_back(model_info{name, alias.provider + "/" + alias.model, alias.context_window});
  // std::map already orders them; sorting keeps the promise if that changes.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::string format_request_log(const request_log& entry) {
  auto line = "alias=" + entry.alias + " mode=" + (entry.streaming ? "stream" : "complete")
              + " tokens=" + std::to_string(entry.tokens.prompt_tokens) + "+"
              + std::to_string(entry.tokens.completion_tokens)
              + " latency=" + std::to_string(entry.latency.count()) + "ms outcome=" + entry.outcome;
  if (!entry.detail.empty()) {
    // One request, one line, whatever the provider's message contains.
    auto detail = entry.detail;
    std::replace(detail.begin(), detail.end(), '\n', ' ');
    line += " (" + detail + ")";
  }
  return line;
}

std::string format_health(const provider_health& h) {
  auto ms = std::to_string(h.latency_ms) + " ms";
  if (h.ok)
    return "ok  " + std::to_string(h.models) + (h.models == 1 ? " model  " : " models  ") + ms;
  return "FAILED  " + h.error + "  (" + ms + ")";
}

} // namespace et::routing
