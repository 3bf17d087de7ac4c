#include "et/routing/node.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "et/llm/plausible.hpp"
#include "et/util/text.hpp"

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

namespace {

// `value` within [1, limit], or nothing when it is not positive.
std::optional<int32_t> at_most(std::optional<int32_t> value, int64_t limit) {
  if (!value || *value <= 0)
    return std::nullopt;
  return static_cast<int32_t>(std::min<int64_t>(*value, std::max<int64_t>(limit, 1)));
}

// `value` within [low, high], or nothing when it is not a number.
std::optional<double> within(std::optional<double> value, double low, double high) {
  if (!value || std::isnan(*value))
    return std::nullopt;
  return std::clamp(*value, low, high);
}

} // namespace

node_status plausible_status(node_status st) {
  constexpr size_t max_health_rows = 100;
  auto line = [](std::string& text) { text = printable(text, 256); };
  line(st.name);
  line(st.version);
  std::vector<model_info> kept;
  for (auto& m : st.aliases)
    // An id is what callers route by: one that is not already one printable line is dropped,
    // not rewritten into an alias the node does not have.
    if (listable(m) && kept.size() < max_listed_models && printable(m.id, 256) == m.id) {
      line(m.display_name);
      if (m.context_window && *m.context_window <= 0)
        m.context_window.reset(); // no window: unknown
      kept.push_back(std::move(m));
    }
  st.aliases = std::move(kept);
  if (st.ollama.size() > max_health_rows)
    st.ollama.resize(max_health_rows);
  for (auto& h : st.ollama) {
    line(h.provider);
    line(h.base_url);
    h.error = printable(h.error, 512);
    h.models = std::max<int64_t>(h.models, 0);
    h.latency_ms = std::max<int64_t>(h.latency_ms, 0);
  }
  for (auto* n : {&st.in_flight, &st.max_in_flight, &st.served, &st.uptime_ms})
    *n = std::max<int64_t>(*n, 0);
  st.usd = plausible_usd(st.usd).value_or(0.0);
  return st;
}

std::string remote_request_problem(const chat_request& req) {
  size_t bytes = req.model.size() + req.keep_alive.size() + req.format.name.size()
                 + req.format.schema.size() + req.thinking.effort.size() + req.tool_use.name.size();
  size_t images = 0;
  for (const auto& m : req.messages) {
    if (m.tool_calls.size() + m.thoughts.size() > remote_max_parts)
      return "a turn of more than " + std::to_string(remote_max_parts) + " parts";
    bytes += m.content.size() + m.tool_call_id.size() + m.name.size();
    for (const auto& c : m.tool_calls)
      bytes += c.id.size() + c.name.size() + c.arguments.size();
    for (const auto& t : m.thoughts)
      bytes += t.text.size() + t.signature.size() + t.redacted.size();
    for (const auto& i : m.images)
      bytes += i.media_type.size() + i.data.size() + i.url.size() + i.detail.size() + i.name.size();
    images += m.images.size();
  }
  for (const auto& t : req.tools)
    bytes += t.name.size() + t.description.size() + t.parameters.size();
  for (const auto& stop : req.stop) {
    if (stop.size() > remote_max_stop_bytes)
      return "a stop sequence is longer than " + std::to_string(remote_max_stop_bytes) + " bytes";
    bytes += stop.size();
  }
  if (req.messages.size() > remote_max_messages)
    return std::to_string(req.messages.size()) + " turns, more than "
           + std::to_string(remote_max_messages);
  if (req.tools.size() > remote_max_tools)
    return std::to_string(req.tools.size()) + " tools, more than "
           + std::to_string(remote_max_tools);
  if (images > remote_max_images)
    return std::to_string(images) + " images, more than " + std::to_string(remote_max_images);
  if (bytes > remote_max_request_bytes)
    return "more than " + std::to_string(remote_max_request_bytes >> 20) + " MiB of text";
  return {};
}

chat_request clamp_remote_request(const config::settings& s, const config::model_alias& alias,
                                  chat_request req) {
  req.max_tokens = at_most(req.max_tokens, alias.max_tokens.value_or(s.defaults.max_tokens));
  int64_t ctx_limit = remote_num_ctx_bound;
  if (alias.num_ctx)
    ctx_limit = *alias.num_ctx;
  else if (alias.context_window)
    ctx_limit = std::min<int64_t>(*alias.context_window, std::numeric_limits<int32_t>::max());
  req.num_ctx = at_most(req.num_ctx, ctx_limit);
  req.temperature = within(req.temperature, 0.0, 2.0);
  req.top_p = within(req.top_p, 0.0, 1.0);
  req.keep_alive = alias.keep_alive;
  if (req.stop.size() > remote_stop_bound)
    req.stop.resize(remote_stop_bound);
  return req;
}

std::string format_request_log(const request_log& entry) {
  // The alias is what a peer sent, the detail a provider's words: one request, one line,
  // however long or whatever bytes they hold.
  auto line = "alias=" + printable(entry.alias, 128)
              + " mode=" + (entry.streaming ? "stream" : "complete")
              + " tokens=" + std::to_string(entry.tokens.prompt_tokens) + "+"
              + std::to_string(entry.tokens.completion_tokens)
              + " latency=" + std::to_string(entry.latency.count()) + "ms outcome=" + entry.outcome;
  if (!entry.detail.empty())
    line += " (" + printable(entry.detail, 1024) + ")";
  return line;
}

std::string format_health(const provider_health& h) {
  auto ms = std::to_string(h.latency_ms) + " ms";
  if (h.ok)
    return "ok  " + std::to_string(h.models) + (h.models == 1 ? " model  " : " models  ") + ms;
  return "FAILED  " + h.error + "  (" + ms + ")";
}

} // namespace et::routing
