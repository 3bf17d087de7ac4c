// The soak: pool runs through the whole actor system (pool -> polecats ->
// router -> HTTP provider actors) against et-fake-upstream in its own process,
// which serves OpenAI, Anthropic, Gemini and Ollama with about 20 % of the
// answers faulty (429 with Retry-After, 500, 503, 529, connections closed
// without an answer, hangs past the first-byte timeout, streams cut mid-answer,
// malformed chunks, error events mid-stream), while a fifth provider's actor is
// killed mid-call each time it takes a streamed one. With --node N a sixth
// member is an alias on an `et serve` node (its own fake upstream holds every
// Nth stream; the node is killed with SIGKILL there and started again: see
// soak_node.hpp). Rounds (streamed and
// whole answers in turn) of subtasks run until the
// router has made --calls model calls; then it checks that no subtask was
// lost (each is done with exactly the text the upstream served, or failed with
// a typed reason), that the ledger equals what the upstream billed to the
// token and the dollar, and that memory did not keep growing. Prints a table;
// --json FILE writes one row. Exits 1 when a check fails, 2 on bad usage.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "caf/all.hpp"
#include "caf/io/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/ledger.hpp"
#include "et/actors/provider_factory.hpp"
#include "et/actors/roles/pool.hpp"
#include "et/actors/system_setup.hpp"
#include "et/config/settings.hpp"
#include "et/roles/pool.hpp"
#include "et/routing/node_tls.hpp"
#include "scale_proc.hpp"
#include "soak_check.hpp"
#include "soak_node.hpp"
#include "soak_side.hpp"
#include "support.hpp"

namespace {

using namespace et;
using namespace et::bench::soak;
using namespace et::actors;
using clock_type = std::chrono::steady_clock;

constexpr int subtasks_per_round = 25;
constexpr auto round_timeout = std::chrono::seconds{60};
constexpr const char* fault_mix =
    "rate_limit,server_error,unavailable,overloaded,refuse,hang,cut,malformed,stream_error";

struct flags {
  int64_t calls = 1000;
  uint64_t seed = 1;
  std::string json;
  std::string upstream;
  int node_hold_every = 0; ///< --node N: 0 = no node
};

std::optional<flags> parse_flags(int argc, char** argv) {
  flags f;
  f.upstream = bench::scale::own_directory() + "/et-fake-upstream";
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc)
      return std::nullopt;
    std::string value = argv[++i];
    auto number = bench::whole_number(value);
    bool numeric = flag == "--calls" || flag == "--seed" || flag == "--node";
    if (numeric && !number)
      return std::nullopt; // "--node x" is a mistake, not "no node"
    if (flag == "--calls")
      f.calls = *number;
    else if (flag == "--seed")
      f.seed = static_cast<uint64_t>(*number);
    else if (flag == "--json")
      f.json = value;
    else if (flag == "--upstream")
      f.upstream = value;
    else if (flag == "--node")
      f.node_hold_every = static_cast<int>(std::min<int64_t>(*number, 1'000'000));
    else
      return std::nullopt;
  }
  if (f.calls <= 0)
    return std::nullopt;
  return f;
}

// Four protocols, each alias priced, plus "crashy": its calls are held by the
// upstream after their first content event, and its actor is killed there.
std::string config_yaml(uint16_t port, uint16_t node_port) {
  auto base = "http://127.0.0.1:" + std::to_string(port);
  return "providers:\n"
         "  oa: {type: openai, base_url: \""
         + base + "/v1\", max_connections: 16}\n  an: {type: anthropic, base_url: \"" + base
         + "\", api_key: soak-key}\n  ge: {type: gemini, base_url: \"" + base
         + "\", api_key: soak-key}\n  ol: {type: ollama, base_url: \"" + base
         + "\"}\n  crashy: {type: openai, base_url: \"" + base
         + "/v1\", headers: {x-fake-hold: \"1\"}}\n"
           "models:\n"
           "  a-oa: {provider: oa, model: soak-openai, price: {input: 2.5, output: 10}}\n"
           "  a-an: {provider: an, model: soak-anthropic, price: {input: 3, output: 15}}\n"
           "  a-ge: {provider: ge, model: soak-gemini, price: {input: 0.3, output: 2.5}}\n"
           "  a-ol: {provider: ol, model: soak-ollama, price: {input: 0.1, output: 0.4}}\n"
           "  a-crash: {provider: crashy, model: soak-crashy, price: {input: 1, output: 1}}\n"
           "roles:\n"
           "  polecat:\n"
           "    model: a-oa\n"
           "    fallbacks: [a-an, a-ge, a-ol]\n"
           "    pool:\n"
           "      - {model: a-oa, max_concurrency: 2}\n"
           "      - {model: a-an, max_concurrency: 2}\n"
           "      - {model: a-ge, max_concurrency: 2}\n"
           "      - {model: a-ol, max_concurrency: 2}\n"
           "      - {model: a-crash, max_concurrency: 1}\n"
         + (node_port == 0 ? std::string{} : "      - {model: a-node@node1, max_concurrency: 1}\n")
         + "timeouts: {connect: 2s, first_byte: 1s, idle: 1s, total: 20s}\n"
           "retry: {attempts: 2, initial_backoff: 20ms, max_backoff: 200ms, max_wait: 2s}\n"
           "cooldown: {failures: 5, window: 2s, period: 250ms}\n"
           "supervision: {max_restarts: 1000, window: 1s}\n"
         + (node_port == 0 ? std::string{}
                           : "nodes: {node1: {address: \"127.0.0.1:" + std::to_string(node_port)
                                 + "\", connect_timeout: 2s, request_timeout: 20s}}\n");
}

struct system_config : caf::actor_system_config {
  system_config() {
    et::actors::prepare_system(*this);
    load<caf::io::middleman>(); // for the node (--node)
    set("middleman.app-identifiers", std::vector<std::string>{routing::node_app_identifier()});
  }
};

// Counts the pool's moves of a subtask to another member, by the class of the failure.
using move_log = std::map<std::string, int64_t>;

caf::behavior observer(caf::event_based_actor*, std::shared_ptr<std::mutex> mtx,
                       std::shared_ptr<move_log> moves) {
  return {[=](status_atom, const roles::progress& p) {
    if (p.kind() != roles::progress_kind::attempt_failed)
      return;
    const auto& f = std::get<roles::progress::attempt_failed>(p.event);
    auto why = typed_reason(f.error);
    if (!why)
      std::fprintf(stderr, "et-bench-soak: subtask %d moved on an untyped failure: %s\n", p.number,
                   f.error.c_str());
    std::lock_guard guard{*mtx};
    ++(*moves)[why.value_or("untyped")];
  }};
}

roles::execution round_of(const config::settings& s, int round, int subtasks) {
  roles::execution e;
  e.task = "soak round " + std::to_string(round);
  e.lanes = roles::plan_lanes(s, "polecat", 1);
  for (int i = 1; i <= subtasks; ++i)
    e.jobs.push_back(roles::job{plan::subtask{i, subtask_text(round, i), {}, {}}, {}, {}, {}, {}});
  return e;
}

constexpr const char* usage_text =
    "[--calls N (1000)] [--seed N (1)] [--json FILE] "
    "[--upstream PATH (et-fake-upstream next to this program)] "
    "[--node N (0: none; else a node killed at every Nth stream)]";

} // namespace

int main(int argc, char** argv) {
  if (auto code = bench::check_flags(argc, argv, "et-bench-soak", usage_text,
                                     {"--calls", "--seed", "--json", "--upstream", "--node"});
      code >= 0)
    return code;
  auto f = parse_flags(argc, argv);
  if (!f) {
    std::fprintf(stderr, "et-bench-soak: --calls and --seed take whole numbers (--calls at least "
                         "1), --node a whole number; usage: et-bench-soak %s\n", usage_text);
    return 2;
  }
  auto up = bench::scale::start_upstream(
      f->upstream, {"--threads", "2", "--mode", "echo", "--fault-mix", fault_mix,
                    "--fault-probability", "0.2", "--seed", std::to_string(f->seed)});
  if (up.pid < 0 || up.port == 0) {
    std::fprintf(stderr, "et-bench-soak: %s\n", up.error.c_str());
    return 1;
  }
  std::unique_ptr<node_side> node;
  if (f->node_hold_every > 0) {
    node = std::make_unique<node_side>(f->upstream, bench::scale::own_directory() + "/et",
                                       f->node_hold_every);
    if (!node->error().empty()) {
      std::fprintf(stderr, "et-bench-soak: node: %s\n", node->error().c_str());
      node.reset();
      bench::scale::stop_upstream(up);
      return 1;
    }
  }
  std::string problem;
  auto settings =
      bench::load_settings(config_yaml(up.port, node ? node->port() : 0), "soak.yaml", problem);
  if (!settings) {
    std::fprintf(stderr, "et-bench-soak: %s\n", problem.c_str());
    bench::scale::stop_upstream(up);
    return 1;
  }
  soak_totals t;
  t.node = node != nullptr;
  auto started = clock_type::now();
  {
    // The HTTP runtime outlives the actor system: provider actors use it until they are gone.
    auto runtime = std::make_shared<http::runtime>(1);
    system_config cfg;
    caf::actor_system sys{cfg};
    auto log = std::make_shared<attempt_log>();
    auto reg = std::make_shared<victim_registry>();
    auto ledger = actors::spawn_ledger(
        sys, actors::ledger_setup{settings, cost::price_book{}, nullptr, "soak", true, {}});
    auto tap = spawn_ledger_tap(sys, ledger, log);
    auto router = actors::spawn_router(
        sys, actors::router_setup{
                 settings,
                 watch_provider(actors::make_provider_factory(runtime, settings), "crashy", reg),
                 tap, cost::price_book{}, f->seed});
    auto mtx = std::make_shared<std::mutex>();
    auto moves = std::make_shared<move_log>();
    auto obs = caf::actor_cast<actors::progress_sink>(sys.spawn(observer, mtx, moves));
    // With an observer the pool streams (as `et run` does); without one it asks
    // for whole answers. Rounds alternate so both wire paths see the faults.
    auto streaming = actors::spawn_pool(sys, actors::pool_setup{settings, router, {}, obs});
    auto whole = actors::spawn_pool(sys, actors::pool_setup{settings, router, {}, {}});
    crash_injector crashes{up.port, reg};
    caf::scoped_actor self{sys};
    for (int round = 1; t.calls() < f->calls; ++round) {
      std::vector<roles::subtask_outcome> outcomes;
      std::string error;
      auto pool = round % 2 == 1 ? streaming : whole;
      self->request(pool, round_timeout, execute_atom::value,
                    round_of(*settings, round, subtasks_per_round))
          .receive([&](std::vector<roles::subtask_outcome>& out) { outcomes = std::move(out); },
                   [&](caf::error& e) { error = to_string(actors::from_caf(e)); });
      t.add_round(round, subtasks_per_round, outcomes, error);
      {
        std::lock_guard guard{log->mutex};
        t.attempts = log->attempts;
      }
      if (round == 1)
        t.rss_warm_kib = rss_kib();
      if (!error.empty())
        break; // the pool itself failed: its subtasks are counted lost
    }
    t.rss_end_kib = rss_kib();
    self->request(tap, std::chrono::seconds{30}, summary_atom::value)
        .receive([&](cost::cost_report& r) { t.ledger = r; },
                 [&](caf::error& e) { t.ledger_error = to_string(actors::from_caf(e)); });
    t.kills = crashes.kills();
    t.take_attempts(*log);
    {
      std::lock_guard guard{*mtx};
      t.pool_moves = *moves;
    }
    for (auto a : {caf::actor_cast<caf::actor>(streaming), caf::actor_cast<caf::actor>(whole),
                   caf::actor_cast<caf::actor>(router), caf::actor_cast<caf::actor>(tap),
                   caf::actor_cast<caf::actor>(ledger), caf::actor_cast<caf::actor>(obs)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
  t.seconds = std::chrono::duration<double>(clock_type::now() - started).count();
  t.upstream = read_report(up.port, true);
  bench::scale::stop_upstream(up);
  std::shared_ptr<config::settings> node_settings;
  if (node) {
    merge(t.upstream, node->report());
    t.node_kills = node->killer().kills();
    t.node_failed_restarts = node->killer().failed_restarts();
    node_settings = node->settings();
    node.reset();
  }
  auto verdict = check(t, *settings, f->calls, node_settings.get());
  print_report(t, verdict);
  bool saved = bench::save_json(f->json, {to_row(t, verdict)}, "et-bench-soak");
  return verdict.passed() && saved ? 0 : 1;
}
