// The added cost of a remote pool member: the same subtask sent through a
// polecat to a local member (router -> in-process mock) and to a member on a
// node over loopback (router -> remote provider -> CAF's middleman -> node
// actor -> the node's router -> the same mock), in one run, both actor
// systems in this process. A closed loop keeps C subtasks in flight through
// one polecat per member. With an instant mock the rows measure dispatch
// overhead; with a 50 ms mock they show whether a remote member keeps up.
// Prints tables; --json FILE also writes one object per row.
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "caf/all.hpp"
#include "caf/io/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/mock_provider.hpp"
#include "et/actors/node.hpp"
#include "et/actors/provider_factory.hpp"
#include "et/actors/roles/polecat.hpp"
#include "et/actors/system_setup.hpp"
#include "et/config/loader.hpp"
#include "support.hpp"

namespace {

using namespace et;
using namespace et::actors;
using clock_type = std::chrono::steady_clock;

constexpr auto warmup = std::chrono::milliseconds{300};
constexpr auto window = std::chrono::milliseconds{2000};

struct system_config : caf::actor_system_config {
  system_config() {
    et::actors::prepare_system(*this);
    load<caf::io::middleman>();
    set("middleman.app-identifiers", std::vector<std::string>{routing::node_app_identifier()});
  }
};

std::shared_ptr<config::settings> load(const std::string& yaml) {
  std::string problem;
  auto settings = bench::load_settings(yaml, "bench.yaml", problem);
  if (!settings) {
    std::fprintf(stderr, "et-bench-remote: %s", problem.c_str());
    std::exit(1);
  }
  return settings;
}

const char* mock_providers =
    "providers:\n"
    "  instant: {type: mock, mock: {mode: fixed, text: done}}\n"
    "  paced: {type: mock, mock: {mode: fixed, text: done, latency: 50ms}}\n";

/// One row: a member at a concurrency.
struct row {
  std::string member;
  std::string mock;
  int concurrency = 0;
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  int64_t errors = 0;
};

struct loop_state {
  std::vector<double> latencies;
  int64_t errors = 0;
};

// Keeps `concurrency` subtasks in flight on `worker` until the window closes.
caf::behavior driver(caf::event_based_actor* self, polecat_actor worker, int concurrency,
                     loop_state* out, std::promise<void>* finished) {
  auto measure_from = clock_type::now() + warmup;
  auto measure_to = measure_from + window;
  auto in_flight = std::make_shared<int>(concurrency);
  auto issue = std::make_shared<std::function<void()>>();
  roles::work_order order;
  order.task = "bench";
  order.subtask = "write one line";
  *issue = [=] {
    auto started = clock_type::now();
    auto finish = [=](bool ok) {
      auto now = clock_type::now();
      if (!ok)
        ++out->errors;
      else if (now >= measure_from && now <= measure_to)
        out->latencies.push_back(std::chrono::duration<double, std::micro>(now - started).count());
      if (now < measure_to)
        return (*issue)();
      if (--*in_flight == 0) {
        finished->set_value();
        *issue = nullptr; // breaks the cycle issue -> lambda -> issue
        self->quit();
      }
    };
    self->request(worker, caf::infinite, execute_atom::value, order)
        .then([finish](routed_response&) { finish(true); },
              [finish](caf::error&) { finish(false); });
  };
  for (int i = 0; i < concurrency; ++i)
    (*issue)();
  return {[](caf::ok_atom) {}};
}

row measure(caf::actor_system& sys, polecat_actor worker, std::string member, std::string mock,
            int concurrency) {
  loop_state state;
  std::promise<void> finished;
  sys.spawn(driver, worker, concurrency, &state, &finished);
  finished.get_future().wait();
  auto seconds = std::chrono::duration<double>(window).count();
  return {std::move(member),
          std::move(mock),
          concurrency,
          static_cast<double>(state.latencies.size()) / seconds,
          bench::percentile(state.latencies, 0.50),
          bench::percentile(state.latencies, 0.99),
          state.errors};
}

void print(const std::vector<row>& rows) {
  std::printf("subtasks through one polecat per member, closed loop, %.1f s per row after %.1f s "
              "warm-up\n",
              std::chrono::duration<double>(window).count(),
              std::chrono::duration<double>(warmup).count());
  std::printf("%-8s %-8s %6s %12s %10s %10s %8s\n", "member", "mock", "conc", "subtasks/s",
              "p50 us", "p99 us", "errors");
  for (const auto& r : rows)
    std::printf("%-8s %-8s %6d %12.1f %10.0f %10.0f %8lld\n", r.member.c_str(), r.mock.c_str(),
                r.concurrency, r.per_second, r.p50_us, r.p99_us, static_cast<long long>(r.errors));
  std::printf("\n%-8s %6s %22s %14s %14s\n", "mock", "conc", "remote/local per s", "added p50 us",
              "added p99 us");
  for (size_t i = 0; i + 1 < rows.size(); i += 2)
    std::printf("%-8s %6d %22.3f %14.0f %14.0f\n", rows[i].mock.c_str(), rows[i].concurrency,
                rows[i].per_second > 0 ? rows[i + 1].per_second / rows[i].per_second : 0,
                rows[i + 1].p50_us - rows[i].p50_us, rows[i + 1].p99_us - rows[i].p99_us);
}

} // namespace

int main(int argc, char** argv) {
  if (auto code = bench::check_flags(argc, argv, "et-bench-remote", "[--json FILE]", {"--json"});
      code >= 0)
    return code;
  auto json_path = bench::json_path(argc, argv);
  // The node: its own actor system, router and published node actor.
  system_config node_cfg;
  caf::actor_system node_sys{node_cfg};
  auto node_settings = load(std::string{mock_providers}
                            + "models:\n  coder: {provider: instant, model: m}\n"
                              "  slow: {provider: paced, model: m}\n"
                              "server: {max_in_flight: 256}\n");
  auto node_http = std::make_shared<http::runtime>(1);
  auto node_router =
      spawn_router(node_sys, node_settings, make_provider_factory(node_http, node_settings));
  auto node = spawn_node(node_sys, node_setup{node_settings, node_router, {}, "bench", false, {}});
  auto door = spawn_node_door(node_sys, node); // what et serve publishes
  auto port = node_sys.middleman().publish(caf::actor_cast<node_actor>(door), 0, "127.0.0.1", true);
  if (!port) {
    std::fprintf(stderr, "et-bench-remote: publish: %s\n", node_sys.render(port.error()).c_str());
    return 1;
  }
  // The caller: local aliases on the same mocks, and the node's as alias@bench.
  system_config cfg;
  caf::actor_system sys{cfg};
  auto settings = load(std::string{mock_providers}
                       + "models:\n  coder: {provider: instant, model: m}\n"
                         "  slow: {provider: paced, model: m}\n"
                         "nodes: {bench: {address: \"127.0.0.1:"
                       + std::to_string(*port) + "\"}}\n");
  auto http = std::make_shared<http::runtime>(1);
  auto router = spawn_router(sys, settings, make_provider_factory(http, settings));
  std::vector<row> rows;
  std::vector<polecat_actor> workers;
  auto run = [&](const std::string& alias, const std::string& mock, int conc) {
    auto local = spawn_polecat(sys, router, *settings, alias, "polecat");
    auto remote = spawn_polecat(sys, router, *settings, alias + "@bench", "polecat");
    measure(sys, remote, "remote", mock, 1); // connects and warms the path; not reported
    rows.push_back(measure(sys, local, "local", mock, conc));
    rows.push_back(measure(sys, remote, "remote", mock, conc));
    workers.push_back(local);
    workers.push_back(remote);
  };
  for (int c : {1, 8, 32})
    run("coder", "instant", c);
  run("slow", "50ms", 8);
  for (auto& w : workers)
    caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  node_sys.middleman().unpublish(caf::actor_cast<node_actor>(door), *port);
  caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(node_router, caf::exit_reason::user_shutdown);
  print(rows);
  std::vector<bench::json_row> out;
  for (const auto& r : rows)
    out.push_back(bench::json_row{}
                      .add("bench", "remote")
                      .add("member", r.member)
                      .add("mock", r.mock)
                      .add("concurrency", static_cast<int64_t>(r.concurrency))
                      .add("subtasks_per_s", r.per_second)
                      .add("p50_us", r.p50_us)
                      .add("p99_us", r.p99_us)
                      .add("errors", r.errors));
  return bench::save_json(json_path, out, "et-bench-remote") ? 0 : 1;
}
