#include "et/app/serve_gateway.hpp"

#include <sstream>
#include <vector>

#include "caf/all.hpp"
#include "et/config/paths.hpp"
#include "et/gateway/models.hpp"
#include "et/http/runtime.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

// Where it listens, its endpoints and models, and whether keys are needed: one write, so
// whoever waits for the listening line (a supervisor, a test) never reads it half written.
std::string announcement(const serve_gateway& g, const http_gateway& gw) {
  std::vector<std::string> offered;
  for (const auto& m : et::gateway::offered_models(*g.settings))
    offered.push_back(m.id);
  std::ostringstream said;
  said << "et serve: gateway listening on " << (g.tls ? "https://" : "http://")
       << (g.at.host.find(':') != std::string::npos ? "[" + g.at.host + "]" : g.at.host) << ":"
       << gw.port()
       << " (OpenAI: /v1/chat/completions and /v1/responses, Anthropic: /v1/messages and "
          "/v1/messages/count_tokens, /v1/models, /health, /metrics); models: "
       << join(offered, ", ") << "\n";
  if (auto keys = gw.active_keys(); keys && *keys > 0)
    said << "et serve: gateway keys: " << *keys
         << " active; every request (but /health) needs one as \"Authorization: Bearer "
            "KEY\" or \"x-api-key: KEY\"\n";
  else
    said << "et serve: WARNING: the gateway has no keys: OPEN MODE on loopback; any "
            "process on this host can use it and spend what the configured providers cost "
            "(`et keys create NAME` makes a key; from then on every request needs one)\n";
  return said.str();
}

} // namespace

std::unique_ptr<http_gateway> start_serve_gateway(context& ctx, const serve_gateway& g) {
  gateway_setup gs;
  gs.settings = g.settings;
  gs.system = &g.runtime->system();
  gs.router = g.runtime->router();
  gs.http.host = g.at.host;
  gs.http.port = g.at.port;
  gs.http.tls = g.tls;
  gs.http.max_connections = static_cast<std::size_t>(g.max_connections);
  gs.http.max_bodies_bytes = static_cast<std::size_t>(g.max_bodies_mib) << 20;
  gs.http.threads = g.threads;
  if (auto io = g.runtime->http_io(); io->is_driven())
    gs.http.driven_by = std::move(io); // the actor workers run the server's I/O too
  gs.keys_file = config::ledger_file(*g.settings, config::process_env());
  gs.log = [log_mutex = g.log_mutex, &err = ctx.err](const std::string& line) {
    std::lock_guard<std::mutex> lock{*log_mutex};
    // One write per line: the stream may be unbuffered (stderr), and a line per request
    // in three writes cost the gateway two system calls per request.
    err << ("et serve: gateway: " + line + "\n") << std::flush;
  };
  auto started = http_gateway::start(std::move(gs));
  if (!started) {
    ctx.err << "et serve: --http " << g.flag << ": " << started.error().message << "\n";
    return nullptr;
  }
  auto said = announcement(g, **started);
  std::lock_guard<std::mutex> lock{*g.log_mutex};
  ctx.err << said << std::flush;
  return std::move(*started);
}

} // namespace et::app
