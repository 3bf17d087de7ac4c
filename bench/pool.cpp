// Pool efficiency: N independent subtasks through a real pool actor (pool ->
// polecats -> router -> HTTP provider actors -> the in-process fake upstream
// over loopback) on a real actor system, read against the ideal. Every answer
// takes the upstream latency L, so M members taking c subtasks each can at
// best finish in ceil(N / (M x c)) x L. The "steady" variant's upstream waits
// exactly L; the "jitter" variant's waits L +- 10 %, drawn per subtask, and its
// ideal is the makespan of those same latencies in the pool's own order (each
// subtask in turn to the first free slot, with no overhead). Prints a table;
// --json FILE also writes one object per row.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/provider_factory.hpp"
#include "et/actors/roles/pool.hpp"
#include "et/actors/router.hpp"
#include "et/actors/system_setup.hpp"
#include "et/config/loader.hpp"
#include "et/roles/pool.hpp"
#include "et/roles/prompts.hpp"
#include "fake_upstream/server.hpp"
#include "support.hpp"

namespace {

using namespace et;
using namespace et::actors;
using clock_type = std::chrono::steady_clock;

constexpr int latency_ms = 200;                            // L
constexpr int jitter_lo_ms = latency_ms * 9 / 10;          // L - 10 %
constexpr int jitter_hi_ms = latency_ms * 11 / 10;         // L + 10 %
constexpr int max_members = 8;                             // aliases defined per provider
constexpr const char* task_text = "pool efficiency bench"; // the execution's overall task

/// One cell of the grid: N subtasks over M members taking c at once.
struct shape {
  bool jittered = false; ///< latencies drawn per subtask instead of exactly L
  int subtasks = 0;      ///< N
  int members = 0;       ///< M, distinct aliases of one provider
  int concurrency = 0;   ///< c, each member's max_concurrency
};

/// One measured cell.
struct cell_result {
  shape cell;             ///< what ran
  double ideal_ms = 0;    ///< zero-overhead makespan
  double measured_ms = 0; ///< from sending execute to its reply
  int failed = 0;         ///< outcomes that are not ok (0 expected)
};

// Steady: the whole grid. Jitter: its corners, which is what fits in the
// time budget (the steady grid alone waits ~34 s on the upstream).
std::vector<shape> grid() {
  std::vector<shape> out;
  for (int c : {1, 2})
    for (int m : {1, 2, 4, 8})
      for (int n : {4, 8, 16, 32})
        out.push_back(shape{false, n, m, c});
  for (int c : {1, 2})
    for (int m : {2, 8})
      for (int n : {8, 32})
        out.push_back(shape{true, n, m, c});
  return out;
}

// The fake upstream has no jitter option, but it paces an echoed answer at
// x-fake-tps: echoing at 1000 tokens/s waits 1 ms per word of the prompt. So
// the "jittered" provider waits `echo_base_ms` plus the prompt's words, and a
// subtask padded with k words waits jitter_lo_ms + k ms (see pace_plan).
std::string config_yaml(uint16_t port, int echo_base_ms, const shape& s) {
  auto url = "\"http://127.0.0.1:" + std::to_string(port) + "/v1\"";
  std::string y = "providers:\n  steady: {type: openai, base_url: " + url
                  + ", max_connections: 64, headers: {x-fake-latency-ms: \""
                  + std::to_string(latency_ms) + "\"}}\n  jittered: {type: openai, base_url: " + url
                  + ", max_connections: 64, headers: {x-fake-mode: echo, x-fake-tps: \"1000\", "
                    "x-fake-latency-ms: \""
                  + std::to_string(echo_base_ms) + "\"}}\nmodels:\n";
  for (int i = 0; i < max_members; ++i)
    y += "  s" + std::to_string(i) + ": {provider: steady, model: fake-small}\n  j"
         + std::to_string(i) + ": {provider: jittered, model: fake-small}\n";
  auto prefix = s.jittered ? "j" : "s";
  y += "roles:\n  polecat:\n    model: " + std::string{prefix} + "0\n    pool:\n";
  for (int i = 0; i < s.members; ++i)
    y += "      - {model: " + std::string{prefix} + std::to_string(i)
         + ", max_concurrency: " + std::to_string(s.concurrency) + "}\n";
  return y;
}

std::shared_ptr<config::settings> load(const std::string& yaml) {
  std::string problem;
  auto settings = bench::load_settings(yaml, "pool-bench.yaml", problem);
  if (!settings)
    std::fprintf(stderr, "et-bench-pool: %s\n", problem.c_str());
  return settings;
}

// The words the upstream echoes for subtask `text`: the polecat's whole user
// message, counted as the fake upstream counts tokens.
int prompt_words(const std::string& text) {
  roles::work_order o;
  o.task = task_text;
  o.subtask = text;
  auto req = roles::execute_request("", o);
  return static_cast<int>(fake::split_tokens(req.messages.back().content).size());
}

/// How the jitter variant paces: the provider's fixed part and each subtask's padding.
struct pace_plan {
  int echo_base_ms = 0;     ///< x-fake-latency-ms of the jittered provider
  std::vector<int> padding; ///< extra words of subtask i (its latency - jitter_lo_ms)
};

// Draws each subtask's latency in [L - 10 %, L + 10 %] (same seed every run).
pace_plan plan_pace(int subtasks, std::mt19937& rng) {
  pace_plan p;
  p.echo_base_ms = jitter_lo_ms - prompt_words("subtask-1");
  std::uniform_int_distribution<int> draw{jitter_lo_ms, jitter_hi_ms};
  for (int i = 0; i < subtasks; ++i)
    p.padding.push_back(draw(rng) - jitter_lo_ms);
  return p;
}

std::string subtask_text(int number, int padding) {
  auto text = "subtask-" + std::to_string(number);
  for (int i = 0; i < padding; ++i)
    text += " pad";
  return text;
}

roles::execution execution_for(const config::settings& s, const shape& cell,
                               const pace_plan& pace) {
  roles::execution e;
  e.task = task_text;
  e.lanes = roles::plan_lanes(s, "polecat", 1);
  for (int i = 0; i < cell.subtasks; ++i) {
    int padding = cell.jittered ? pace.padding[static_cast<size_t>(i)] : 0;
    e.jobs.push_back(
        roles::job{plan::subtask{i + 1, subtask_text(i + 1, padding), {}, {}}, {}, {}, {}, {}});
  }
  return e;
}

// The zero-overhead makespan: each subtask in turn takes the slot that frees
// first, as the pool's dispatch does. ceil(N / slots) x L for equal latencies.
double list_schedule_ms(const std::vector<double>& latencies, int slots) {
  std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
  for (int i = 0; i < slots; ++i)
    free_at.push(0);
  double makespan = 0;
  for (double d : latencies) {
    double end = free_at.top() + d;
    free_at.pop();
    free_at.push(end);
    makespan = std::max(makespan, end);
  }
  return makespan;
}

// What each subtask actually waited upstream: L, or (jitter) the echo's pace,
// read back from the answer so the ideal never rests on a guess.
std::vector<double> latencies_of(const shape& cell, const pace_plan& pace,
                                 const std::vector<roles::subtask_outcome>& outcomes) {
  std::vector<double> out;
  for (size_t i = 0; i < static_cast<size_t>(cell.subtasks); ++i) {
    if (!cell.jittered) {
      out.push_back(latency_ms);
      continue;
    }
    double planned = jitter_lo_ms + pace.padding[i];
    double echoed =
        i < outcomes.size() && outcomes[i].result.ok
            ? pace.echo_base_ms
                  + static_cast<double>(fake::split_tokens(outcomes[i].result.output).size())
            : planned;
    if (echoed != planned)
      std::fprintf(stderr, "et-bench-pool: subtask %zu paced %.0f ms, planned %.0f ms\n", i + 1,
                   echoed, planned);
    out.push_back(echoed);
  }
  return out;
}

/// What one cell needs that outlives it: the actor system and the provider
/// factory, whose HTTP clients (one per provider) keep their connections warm.
struct bench_env {
  caf::actor_system& sys;
  provider_factory factory;
  uint16_t port = 0;
  std::mt19937 rng{7};
};

// Runs one cell on a fresh router and pool; nullopt when the config fails to
// load or the pool answers with an error.
std::optional<cell_result> run_cell(bench_env& env, const shape& cell) {
  auto pace = plan_pace(cell.jittered ? cell.subtasks : 0, env.rng);
  auto settings = load(config_yaml(env.port, pace.echo_base_ms, cell));
  if (!settings)
    return std::nullopt;
  auto router = spawn_router(env.sys, settings, env.factory);
  auto pool = spawn_pool(env.sys, pool_setup{settings, router, {}, {}});
  auto exec = execution_for(*settings, cell, pace);
  std::vector<roles::subtask_outcome> outcomes;
  std::string error;
  caf::scoped_actor self{env.sys};
  auto start = clock_type::now();
  self->request(pool, caf::infinite, execute_atom::value, std::move(exec))
      .receive([&](std::vector<roles::subtask_outcome>& out) { outcomes = std::move(out); },
               [&](caf::error& e) { error = to_string(from_caf(e)); });
  auto wall = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
  caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  if (!error.empty()) {
    std::fprintf(stderr, "et-bench-pool: the pool failed: %s\n", error.c_str());
    return std::nullopt;
  }
  cell_result r{cell, 0, wall, 0};
  for (const auto& o : outcomes)
    r.failed += o.result.ok ? 0 : 1;
  auto slots = cell.members * cell.concurrency;
  r.ideal_ms = list_schedule_ms(latencies_of(cell, pace, outcomes), slots);
  return r;
}

double subtasks_per_s(const cell_result& r) {
  return r.measured_ms > 0 ? 1000.0 * r.cell.subtasks / r.measured_ms : 0;
}

void print_table(const std::vector<cell_result>& rows) {
  std::printf("pool efficiency: N independent subtasks over M members taking c at once;\n"
              "upstream latency %d ms (jitter: %d-%d ms per subtask, drawn uniformly)\n",
              latency_ms, jitter_lo_ms, jitter_hi_ms);
  std::printf("%-8s %4s %3s %3s %10s %12s %7s %11s %7s\n", "variant", "N", "M", "c", "ideal ms",
              "measured ms", "ratio", "subtasks/s", "failed");
  for (const auto& r : rows)
    std::printf("%-8s %4d %3d %3d %10.0f %12.1f %7.3f %11.1f %7d\n",
                r.cell.jittered ? "jitter" : "steady", r.cell.subtasks, r.cell.members,
                r.cell.concurrency, r.ideal_ms, r.measured_ms, r.measured_ms / r.ideal_ms,
                subtasks_per_s(r), r.failed);
  std::printf("(ideal: each subtask in turn to the first free slot with no overhead; for the\n"
              " steady variant ceil(N / (M x c)) x L. ratio = measured / ideal)\n");
}

// json_row prints numbers with one decimal, so the ratio goes in percent.
std::vector<bench::json_row> to_rows(const std::vector<cell_result>& rows) {
  std::vector<bench::json_row> out;
  for (const auto& r : rows)
    out.push_back(bench::json_row{}
                      .add("bench", "pool")
                      .add("variant", r.cell.jittered ? "jitter" : "steady")
                      .add("subtasks", static_cast<int64_t>(r.cell.subtasks))
                      .add("members", static_cast<int64_t>(r.cell.members))
                      .add("concurrency", static_cast<int64_t>(r.cell.concurrency))
                      .add("latency_ms", static_cast<int64_t>(latency_ms))
                      .add("ideal_ms", r.ideal_ms)
                      .add("measured_ms", r.measured_ms)
                      .add("ratio_pct", 100.0 * r.measured_ms / r.ideal_ms)
                      .add("subtasks_per_s", subtasks_per_s(r))
                      .add("failed", static_cast<int64_t>(r.failed)));
  return out;
}

struct system_config : caf::actor_system_config {
  system_config() { et::actors::prepare_system(*this); }
};

fake::options upstream_options() {
  fake::options o;
  o.threads = 1; // replies wait on timers: one thread is plenty
  o.reply.mode = fake::reply_mode::fixed;
  o.reply.text = "done";
  return o;
}

// Opens the connections the largest cells use (both providers) and spawns the
// first actors outside the timed runs.
bool warm_up(bench_env& env) {
  for (bool jittered : {false, true})
    if (!run_cell(env, shape{jittered, 16, max_members, 2}))
      return false;
  env.rng.seed(7); // the measured draws do not depend on the warm-up
  return true;
}

} // namespace

int main(int argc, char** argv) {
  if (auto code = bench::check_flags(argc, argv, "et-bench-pool", "[--json FILE]", {"--json"});
      code >= 0)
    return code;
  auto json_path = bench::json_path(argc, argv);
  fake::server upstream{upstream_options()};
  if (!upstream.start()) {
    std::fprintf(stderr, "et-bench-pool: cannot start the fake upstream\n");
    return 1;
  }
  if (jitter_lo_ms - prompt_words("subtask-1") < 0) {
    std::fprintf(stderr, "et-bench-pool: the prompt is too long to pace the jitter variant\n");
    return 1;
  }
  auto runtime = std::make_shared<http::runtime>(1);
  auto base = load(config_yaml(upstream.port(), 0, shape{false, 1, 1, 1}));
  if (!base)
    return 1;
  system_config cfg;
  caf::actor_system sys{cfg};
  bench_env env{sys, make_provider_factory(runtime, base), upstream.port()};
  std::vector<cell_result> rows;
  bool ok = warm_up(env);
  for (const auto& cell : grid()) {
    if (!ok)
      break;
    auto r = run_cell(env, cell);
    ok = r.has_value();
    if (r)
      rows.push_back(*r);
  }
  sys.await_all_actors_done();
  if (!ok)
    return 1;
  print_table(rows);
  return bench::save_json(json_path, to_rows(rows), "et-bench-pool") ? 0 : 1;
}
