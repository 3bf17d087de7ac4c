#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <ostream>

#include "caf/all.hpp"
#include "et/actors/errors.hpp"
#include "et/actors/inspect.hpp"
#include "et/actors/remote_provider.hpp"
#include "et/commands.hpp"
#include "et/cost/summary.hpp"
#include "et/network.hpp"
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

// Connects to every node at once, then asks each reachable one for its status.
std::vector<node_row> ask_nodes(const config::settings& s) {
  actor_host host{client_network(s)};
  auto& sys = host.system();
  caf::scoped_actor self{sys};
  std::vector<node_row> rows;
  for (const auto& [name, n] : s.nodes)
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
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!handles[i])
      continue;
    const auto& n = *rows[i].settings;
    self->request(handles[i], caf::timespan{n.connect_timeout}, actors::status_atom::value)
        .receive([&](routing::node_status& st) { rows[i].status = std::move(st); },
                 [&](caf::error& e) { rows[i].error = actors::remote_failure(n, e).message; });
  }
  return rows;
}

void print_table(std::ostream& out, const std::vector<node_row>& rows) {
  for (const auto& r : rows) {
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
  }
}

void print_json(std::ostream& out, const std::vector<node_row>& rows) {
  boost::json::array nodes;
  for (const auto& r : rows) {
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
    }
    nodes.emplace_back(std::move(o));
  }
  out << boost::json::serialize(boost::json::object{{"nodes", nodes}}) << "\n";
}

int run_nodes(context& ctx, bool json) {
  auto loaded = load_settings(ctx);
  if (!loaded)
    return exit_usage;
  if (loaded->nodes.empty() && !json) {
    ctx.out << "no nodes configured (see nodes: in configs/electrictown.yaml)\n";
    return exit_ok;
  }
  auto rows = ask_nodes(*loaded);
  if (json)
    print_json(ctx.out, rows);
  else
    print_table(ctx.out, rows);
  for (const auto& r : rows)
    if (!r.status)
      return exit_failed;
  return exit_ok;
}

} // namespace

void add_nodes_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand(
      "nodes", "show each configured node: reachable, TLS, version, aliases, load and spend");
  add_config_flag(*cmd, ctx);
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print one JSON document");
  cmd->callback([&ctx, json] { ctx.exit = run_nodes(ctx, *json); });
}

} // namespace et::app
