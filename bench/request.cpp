// Request overhead: the same small OpenAI request to an in-process fake
// upstream over loopback, sent (a) directly through provider::http_provider
// and (b) through et's actor path (driver actor -> router -> HTTP provider
// actor -> HTTP), in one run so the router is read against its own reference.
// Non-streamed: a closed loop keeps C requests in flight for a fixed window.
// Streamed: one stream at a time; time to first token, to the end, and
// pieces per stream. Prints tables; --json FILE also writes one object per
// row; --rows direct|router measures one path only and --concurrency N one
// level only (for a profiler). --upstream-cpus LIST runs the fake upstream's
// thread on those CPUs and et's side (both paths) on the rest. --io workers has
// the actor workers run the HTTP I/O of both paths (`et serve --io workers`)
// instead of an I/O thread of its own.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "caf/all.hpp"
#include "cpu_split.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/http_provider_actor.hpp"
#include "et/actors/router.hpp"
#include "et/actors/system_setup.hpp"
#include "et/config/loader.hpp"
#include "et/http/runtime.hpp"
#include "et/provider/http_provider.hpp"
#include "et/util/allocator.hpp"
#include "et/util/cores.hpp"
#include "fake_upstream/server.hpp"
#include "request_flags.hpp"
#include "request_report.hpp"
#include "request_stream.hpp"
#include "support.hpp"

namespace {

using namespace et;
using namespace et::actors;
using namespace request_bench;

constexpr int stream_tokens = 50;
/// The paced stream's rate: a token every 50 us, so each comes as a piece of its own and the
/// gap between pieces shows what relaying one costs.
constexpr int paced_tokens_per_second = 20'000;

// Keeps `concurrency` requests in flight: each completion starts the next
// until the window closes. Completions inside [warm-up end, window end] count
// for throughput and latency. Completions arrive on an I/O thread (direct) or
// in the driver actor (router), hence the mutex; `send` is never called with
// it held, so a send that completes at once cannot deadlock.
class closed_loop {
public:
  using done_fn = std::function<void(bool ok)>;
  using send_fn = std::function<void(done_fn)>;

  explicit closed_loop(int concurrency) : concurrency_(concurrency), in_flight_(concurrency) {}

  // Starts the loop; called in the context `send` must run in.
  void start(send_fn send) {
    {
      std::lock_guard guard{mtx_};
      send_ = std::move(send);
      measure_from_ = clock_type::now() + warmup;
      measure_to_ = measure_from_ + window;
    }
    for (int i = 0; i < concurrency_; ++i)
      issue();
  }

  // Blocks the calling (non-scheduler) thread until the last request is back.
  loop_result wait(std::string path) {
    std::unique_lock guard{mtx_};
    drained_.wait(guard, [this] { return in_flight_ == 0; });
    auto seconds = std::chrono::duration<double>(window).count();
    return {std::move(path),
            concurrency_,
            static_cast<double>(latencies_.size()) / seconds,
            bench::percentile(latencies_, 0.50),
            bench::percentile(latencies_, 0.99),
            errors_};
  }

private:
  void issue() {
    auto started = clock_type::now();
    send_([this, started](bool ok) { finish(started, ok); });
  }

  void finish(clock_type::time_point started, bool ok) {
    auto now = clock_type::now();
    {
      std::lock_guard guard{mtx_};
      if (!ok)
        ++errors_;
      else if (now >= measure_from_ && now <= measure_to_)
        latencies_.push_back(micros(now - started));
      if (now >= measure_to_) {
        if (--in_flight_ == 0)
          drained_.notify_all();
        return;
      }
    }
    issue();
  }

  const int concurrency_;
  std::mutex mtx_;
  std::condition_variable drained_;
  send_fn send_;
  clock_type::time_point measure_from_;
  clock_type::time_point measure_to_;
  int in_flight_;
  int64_t errors_ = 0;
  std::vector<double> latencies_;
};

/// The scheduler workers `et run` plans for the cores this process may use (after
/// --upstream-cpus moved it).
std::size_t workers() {
  return util::command_plan(util::usable_cores()).workers;
}

/// Everything both paths share: the fake upstream, the HTTP client, the actor system.
struct bench_setup {
  /// With `io_on_workers`, the actor workers drive the HTTP runtime (`et serve --io workers`).
  explicit bench_setup(bool io_on_workers)
      : runtime(io_on_workers ? std::make_shared<http::runtime>(http::runtime::driven,
                                                                static_cast<int>(workers()))
                              : std::make_shared<http::runtime>(1)) {}
  fake::server upstream{upstream_options()};
  std::shared_ptr<http::runtime> runtime;
  std::shared_ptr<http::client> client;
  std::shared_ptr<config::settings> settings;

  static fake::options upstream_options() {
    fake::options o;
    o.threads = 1;
    o.reply.mode = fake::reply_mode::fixed;
    o.reply.text = "one two three";
    return o;
  }

  // Three providers on the same upstream: "plain" answers with three words,
  // "streamer" with stream_tokens tokens, one per event, unpaced, "pacer" the
  // same at paced_tokens_per_second.
  // With `split`, the upstream's thread starts on its chosen CPUs (threads inherit the
  // starter's) and this thread goes back to the rest.
  std::optional<std::string> start(const bench::cpu_split* split) {
    if (split && !bench::run_on(split->chosen))
      return "--upstream-cpus: the kernel refused the CPU affinity";
    auto started = upstream.start();
    if (split)
      bench::run_on(split->rest);
    if (!started)
      return "cannot start the fake upstream";
    http::client_options copts;
    copts.max_idle_per_origin = max_concurrency; // no reconnect churn at the top level
    client = std::make_shared<http::client>(*runtime, copts);
    auto base = "\"http://127.0.0.1:" + std::to_string(upstream.port()) + "/v1\"";
    auto yaml = "providers:\n"
                "  plain: {type: openai, base_url: "
                + base + ", max_connections: " + std::to_string(max_concurrency)
                + "}\n"
                  "  streamer: {type: openai, base_url: "
                + base + ", headers: {x-fake-mode: tokens, x-fake-tokens: \""
                + std::to_string(stream_tokens)
                + "\", x-fake-chunk-tokens: \"1\"}}\n"
                  "  pacer: {type: openai, base_url: "
                + base + ", headers: {x-fake-mode: tokens, x-fake-tokens: \""
                + std::to_string(stream_tokens) + "\", x-fake-chunk-tokens: \"1\", x-fake-tps: \""
                + std::to_string(paced_tokens_per_second)
                + "\"}}\n"
                  "models:\n"
                  "  small: {provider: plain, model: fake-small}\n"
                  "  long: {provider: streamer, model: fake-small}\n"
                  "  paced: {provider: pacer, model: fake-small}\n"
                  "roles:\n"
                  "  bench: {model: small}\n"
                  "  streaming: {model: long}\n"
                  "  pacing: {model: paced}\n";
    std::string problem;
    settings = bench::load_settings(yaml, "bench.yaml", problem);
    if (!settings)
      return problem;
    return std::nullopt;
  }

  static role_request ask(std::string role) {
    role_request r;
    r.id = 1;
    r.role = std::move(role);
    r.request.messages.push_back(message{et::role::user, "hi", {}, {}, {}});
    return r;
  }
};

struct system_config : caf::actor_system_config {
  system_config(scheduling how, const std::shared_ptr<http::runtime>& io) {
    prepare_system(*this, how, workers(), io->is_driven() ? io : nullptr);
  }
};

} // namespace

int main(int argc, char** argv) {
  if (auto code = bench::check_flags(
          argc, argv, "et-bench-request",
          "[--scheduler handoff|sharing|stealing] [--concurrency 1..64] "
          "[--rows direct|router|both] [--upstream-cpus LIST] [--io threads|workers] [--json FILE]",
          {"--scheduler", "--concurrency", "--rows", "--upstream-cpus", "--io", "--json"});
      code >= 0)
    return code;
  auto json_path = bench::json_path(argc, argv);
  auto how = scheduler_flag(argc, argv);
  if (!how) {
    std::fprintf(stderr, "et-bench-request: --scheduler: expected stealing, sharing or handoff\n");
    return 2;
  }
  auto levels = levels_flag(argc, argv);
  if (levels.empty()) {
    std::fprintf(stderr, "et-bench-request: --concurrency: expected a whole number from 1 to %d\n",
                 max_concurrency);
    return 2;
  }
  auto io = bench::option(argc, argv, "--io");
  if (!io.empty() && io != "threads" && io != "workers") {
    std::fprintf(stderr, "et-bench-request: --io: expected threads or workers\n");
    return 2;
  }
  bool io_on_workers = io == "workers";
  if (io_on_workers && *how != scheduling::handoff) {
    std::fprintf(stderr, "et-bench-request: --io workers: only the handoff scheduler runs I/O\n");
    return 2;
  }
  auto wanted = rows_flag(argc, argv);
  if (!wanted) {
    std::fprintf(stderr, "et-bench-request: --rows: expected direct, router or both\n");
    return 2;
  }
  std::optional<bench::cpu_split> split;
  if (auto list = bench::option(argc, argv, "--upstream-cpus"); !list.empty()) {
    std::string error;
    split = bench::split_cpus(list, error);
    if (!split || !bench::run_on(split->rest)) { // first: et's threads all inherit it
      std::fprintf(stderr, "et-bench-request: --upstream-cpus: %s\n",
                   split ? "the kernel refused the CPU affinity" : error.c_str());
      return 2;
    }
    std::printf("fake upstream on CPUs %s; et (both paths) on CPUs %s\n",
                bench::cpu_list(split->chosen).c_str(), bench::cpu_list(split->rest).c_str());
  }
  bench_setup setup{io_on_workers};
  if (auto problem = setup.start(split ? &*split : nullptr)) {
    std::fprintf(stderr, "et-bench-request: %s\n", problem->c_str());
    return 1;
  }
  auto plain = provider::http_provider::make(*setup.client, setup.settings->providers["plain"]);
  auto streamer =
      provider::http_provider::make(*setup.client, setup.settings->providers["streamer"]);
  auto pacer = provider::http_provider::make(*setup.client, setup.settings->providers["pacer"]);
  if (!plain || !streamer || !pacer) {
    std::fprintf(stderr, "et-bench-request: cannot make the providers\n");
    return 1;
  }
  system_config cfg{*how, setup.runtime};
  caf::actor_system sys{cfg};
  auto client = setup.client;
  auto router =
      spawn_router(sys, setup.settings,
                   [client](caf::local_actor* parent, const config::provider& p) -> provider_actor {
                     return spawn_http_provider(parent, client, p);
                   });
  auto ask = bench_setup::ask("bench");
  auto direct_req = ask.request;
  direct_req.model = "fake-small";
  std::vector<loop_result> loops;
  for (int c : levels) {
    if (wanted->direct) {
      closed_loop direct{c};
      direct.start([&p = **plain, &direct_req](closed_loop::done_fn done) {
        p.complete(direct_req, [done](result<chat_response> r) { done(r.has_value()); });
      });
      loops.push_back(direct.wait("direct"));
    }
    if (!wanted->router)
      continue;
    closed_loop routed{c};
    auto driver = sys.spawn([&routed, router, ask](caf::event_based_actor* self) -> caf::behavior {
      routed.start([self, router, ask](closed_loop::done_fn done) {
        self->request(router, caf::infinite, complete_atom::value, ask)
            .then([done](routed_response&) { done(true); }, [done](caf::error&) { done(false); });
      });
      return {[](caf::ok_atom) {}}; // stays up until told to exit below
    });
    loops.push_back(routed.wait("router"));
    caf::anon_send_exit(driver, caf::exit_reason::user_shutdown);
  }
  std::vector<stream_result> streams;
  for (int pace : {0, paced_tokens_per_second}) {
    if (wanted->direct) {
      streams.push_back(stream_direct(pace ? **pacer : **streamer, direct_req, stream_tokens));
      streams.back().pace = pace;
    }
    if (wanted->router) {
      auto role = pace ? "pacing" : "streaming";
      streams.push_back(stream_routed(sys, router, bench_setup::ask(role), stream_tokens));
      streams.back().pace = pace;
    }
  }
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  sys.await_all_actors_done();
  run_setup setup_seen{*how, workers(), io_on_workers, stream_tokens};
  print_tables(loops, streams, setup_seen);
  if (!bench::save_json(json_path, to_rows(loops, streams, setup_seen), "et-bench-request"))
    return 1;
  // A row with errors, or one that measured nothing, is not what it says: the run fails.
  int64_t errors = 0;
  bool empty = false;
  for (const auto& r : loops) {
    errors += r.errors;
    empty = empty || r.rps <= 0;
  }
  for (const auto& s : streams) {
    errors += s.errors;
    empty = empty || s.streams == 0;
  }
  if (errors > 0)
    std::fprintf(stderr, "et-bench-request: %lld requests or streams failed\n",
                 static_cast<long long>(errors));
  if (empty)
    std::fprintf(stderr, "et-bench-request: a row measured nothing\n");
  return errors > 0 || empty ? 1 : 0;
}
