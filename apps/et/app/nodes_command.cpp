#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <ostream>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/health.hpp"
#include "et/actors/provider_factory.hpp"
#include "et/actors/remote_provider.hpp"
#include "et/actors/router.hpp"
#include "et/app/commands.hpp"
#include "et/app/json_out.hpp"
#include "et/app/network.hpp"
#include "et/cost/summary.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

// One node as `et nodes` shows it.
struct node_row {
  const config::node* settings = nullptr;
  std::optional<routing::node_status> status; // set when reachable
  std::string error;                          // why not
};

std::string address(const config::node& n) {
  auto host = n.host.find(':') != std::string::npos ? "[" + n.host + "]" : n.host;
  return host + ":" + std::to_string(n.port);
}

// What `et nodes` found: this host's Ollama health and each node.
struct findings {
  std::vector<routing::provider_health> local;
  std::vector<node_row> nodes;
};

// This host's Ollama providers, through a router of their own.
std::vector<routing::provider_health> ask_local(caf::actor_system& sys, caf::scoped_actor& self,
                                                const std::shared_ptr<const config::settings>& s) {
  auto has_ollama = std::any_of(s->providers.begin(), s->providers.end(), [](const auto& kv) {
    return kv.second.type == config::provider_type::ollama;
  });
  if (!has_ollama)
    return {};
  auto http = std::make_shared<http::runtime>(1);
  auto router = actors::spawn_router(sys, s, actors::make_provider_factory(http, s));
  auto probe = actors::spawn_health_probe(sys, s, router);
  std::vector<routing::provider_health> out;
  // The probe bounds each provider itself; this bound catches a probe that never answers.
  self->request(probe, caf::timespan{actors::health_timeout + std::chrono::seconds{2}},
                actors::status_atom::value)
      .receive([&](std::vector<routing::provider_health>& rows) { out = std::move(rows); },
               [&](caf::error& e) {
                 for (const auto& [name, p] : s->providers)
                   if (p.type == config::provider_type::ollama)
                     out.push_back(routing::provider_health{name, p.base_url, false, 0, 0,
                                                            to_string(actors::from_caf(e))});
               });
  caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  return out;
}

// Connects to every node at once, then asks each reachable one for its status.
std::vector<node_row> ask_nodes(caf::actor_system& sys, caf::scoped_actor& self,
                                const std::map<std::string, config::node>& nodes) {
  std::vector<node_row> rows;
  for (const auto& [name, n] : nodes)
    rows.push_back(node_row{&n, std::nullopt, {}});
  using connect_handle = decltype(self->request(
      caf::actor{}, caf::infinite, caf::connect_atom::value, std::string{}, uint16_t{0}));
  std::vector<std::optional<connect_handle>> connecting;
  for (auto& row : rows) {
    const auto& n = *row.settings;
    auto mm = actors::node_connector(sys, n);
    connecting.push_back(self->request(mm, caf::timespan{n.connect_timeout},
                                       caf::connect_atom::value, n.host, n.port));
  }
  std::vector<actors::node_actor> handles(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& n = *rows[i].settings;
    connecting[i]->receive(
        [&](caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>& ifs) {
          auto hdl = actors::node_from(sys, n, std::move(ptr), ifs);
          if (hdl)
            handles[i] = *hdl;
          else
            rows[i].error = hdl.error().message;
        },
        [&](caf::error& e) { rows[i].error = actors::remote_failure(n, e).message; });
  }
  // Every node is asked before any answer is awaited: each checks its Ollama
  // providers (up to health_timeout) before it answers.
  using status_handle =
      decltype(self->request(handles.front(), caf::infinite, actors::status_atom::value));
  std::vector<std::optional<status_handle>> asking(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!handles[i])
      continue;
    auto bound = caf::timespan{rows[i].settings->connect_timeout + actors::health_timeout
                               + std::chrono::seconds{2}};
    asking[i] = self->request(handles[i], bound, actors::status_atom::value);
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!asking[i])
      continue;
    const auto& n = *rows[i].settings;
    asking[i]->receive(
        [&](routing::node_status& st) {
          rows[i].status = routing::plausible_status(std::move(st));
        },
        [&](caf::error& e) { rows[i].error = actors::remote_failure(n, e).message; });
  }
  return rows;
}

findings ask_all(const std::shared_ptr<const config::settings>& s) {
  actor_host host{client_network(s->nodes, s->network)};
  caf::scoped_actor self{host.system()};
  findings out;
  out.local = ask_local(host.system(), self, s);
  out.nodes = ask_nodes(host.system(), self, s->nodes);
  return out;
}

void print_health(std::ostream& out, const std::vector<routing::provider_health>& rows) {
  for (const auto& h : rows)
    out << "    ollama " << h.provider << " (" << h.base_url << ")  " << routing::format_health(h)
        << "\n";
}

boost::json::array health_json(const std::vector<routing::provider_health>& rows) {
  boost::json::array out;
  for (const auto& h : rows) {
    boost::json::object o{{"provider", h.provider},
                          {"base_url", h.base_url},
                          {"ok", h.ok},
                          {"latency_ms", h.latency_ms}};
    if (h.ok)
      o["models"] = h.models;
    else
      o["error"] = h.error;
    out.emplace_back(std::move(o));
  }
  return out;
}

void print_table(std::ostream& out, const findings& found) {
  if (!found.local.empty()) {
    out << "this host\n";
    print_health(out, found.local);
  }
  for (const auto& r : found.nodes) {
    const auto& n = *r.settings;
    out << n.name << "  " << address(n) << "  tls " << (n.tls.enabled() ? "on" : "off") << "  ";
    if (!r.status) {
      out << "UNREACHABLE: " << r.error << "\n";
      continue;
    }
    const auto& st = *r.status;
    out << "reachable  node " << st.name << "  version " << st.version << "  in flight "
        << st.in_flight << "/" << st.max_in_flight << "  served " << st.served << "  spend "
        << cost::format_usd(st.usd) << "\n";
    for (const auto& m : st.aliases)
      out << "    " << m.id << "@" << n.name << "  " << m.display_name << "\n";
    print_health(out, st.ollama);
  }
}

void print_json(std::ostream& out, const findings& found) {
  boost::json::array nodes;
  for (const auto& r : found.nodes) {
    const auto& n = *r.settings;
    boost::json::object o{{"node", n.name},
                          {"address", address(n)},
                          {"tls", n.tls.enabled()},
                          {"reachable", r.status.has_value()}};
    if (!r.status) {
      o["error"] = r.error;
    } else {
      const auto& st = *r.status;
      boost::json::array aliases;
      for (const auto& m : st.aliases)
        aliases.emplace_back(boost::json::object{{"alias", m.id}, {"model", m.display_name}});
      o["name"] = st.name;
      o["version"] = st.version;
      o["aliases"] = std::move(aliases);
      o["in_flight"] = st.in_flight;
      o["max_in_flight"] = st.max_in_flight;
      o["served"] = st.served;
      o["uptime_ms"] = st.uptime_ms;
      o["usd"] = st.usd;
      o["server_tls"] = st.tls;
      o["ollama"] = health_json(st.ollama);
    }
    nodes.emplace_back(std::move(o));
  }
  app::print_json(out, boost::json::object{{"local", {{"ollama", health_json(found.local)}}},
                                           {"nodes", nodes}});
}

bool all_healthy(const std::vector<routing::provider_health>& rows) {
  return std::all_of(rows.begin(), rows.end(), [](const auto& h) { return h.ok; });
}

int run_nodes(context& ctx, bool json) {
  auto loaded = load_settings(ctx);
  if (!loaded)
    return exit_usage;
  auto settings = std::make_shared<const config::settings>(std::move(*loaded));
  auto found = ask_all(settings);
  if (json)
    print_json(ctx.out, found);
  else
    print_table(ctx.out, found);
  if (settings->nodes.empty() && !json)
    ctx.out << "no nodes configured (see nodes: in configs/electrictown.yaml)\n";
  bool ok = all_healthy(found.local);
  for (const auto& r : found.nodes)
    ok = ok && r.status && all_healthy(r.status->ollama);
  return ok ? exit_ok : exit_failed;
}

} // namespace

void add_nodes_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand(
      "nodes", "show each configured node (reachable, TLS, version, aliases, load, spend) and the "
               "/api/tags health of the Ollama providers here and on each node");
  add_config_flag(*cmd, ctx);
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print one JSON document");
  cmd->callback([&ctx, json] { ctx.exit = run_nodes(ctx, *json); });
}

} // namespace et::app
