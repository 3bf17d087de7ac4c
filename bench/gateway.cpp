// Gateway overhead: the same small OpenAI chat request from one client
// process, closed loop at C = 1, 8, 64 (whole and streamed), sent (a) to the
// fake upstream directly and (b) to an `et serve --http` gateway in front of
// it; the gateway and the upstream (et-fake-upstream) run as processes of
// their own. Per row: req/s, p50/p99 (send to last byte), the gateway's
// resident set and CPU per request; then gateway/direct throughput and the
// added latency. --hold N then opens N streams through the gateway at once
// (the upstream holds each after its first text) and reads the gateway's and
// this client's resident sets while all are open.
//
//   et-bench-gateway [--levels 1,8,64] [--seconds 3] [--hold N] [--hold-prompt BYTES]
//                    [--json FILE] [--state DIR] [--key rate|budget] [--cpus N] [--gap-ms N]
//                    [--gateway-cpus LIST] [--io threads|workers]
//                    [--other NAME=URL --other-model M --other-pid PID --other-header "K: V"...]
//
// --gap-ms N makes each client wait N ms after an answer before its next request, as an
// agent does between calls: every request then meets threads that have gone idle (the
// tight loop keeps them polling), which is the latency a coding agent sees.
//
// --gateway-cpus LIST runs the gateway on those CPUs and this client and the upstream on
// the others (both rows), as a deployment gives a gateway cores of its own: on a small
// machine where all three share every core, the gateway's rate measures the sharing too.
//
// --io is `et serve --io`: who runs the gateway's HTTP I/O (its own threads, or its actor
// workers), to compare the two on one machine.
//
// --key makes a gateway key in the state dir before the gateway starts and sends it:
// "rate" gives it rpm and tpm limits (never reached), "budget" daily and total budgets
// too; every request is then admitted (reserved) and settled in the key store.
//
// --other adds a third row per level: another gateway at URL (already running,
// pointed at the fake upstream, whose address it gets as "{upstream}" in
// --other-header values), e.g. Portkey's (bench/portkey/compare.sh).
//
// Without --key the gateway runs in open mode (no keys), so each request only
// writes its ledger record; its per-request log line goes to a file.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "cpu_split.hpp"
#include "et/http/runtime.hpp"
#include "et/store/key_store.hpp"
#include "et/util/allocator.hpp"
#include "gateway_flags.hpp"
#include "gateway_load.hpp"
#include "scale_proc.hpp"
#include "support.hpp"

namespace {

using namespace et::bench;
using namespace et::bench::gateway;
namespace fs = std::filesystem;

std::string body(const std::string& model, bool stream, std::size_t prompt_bytes = 0) {
  std::string prompt = "hello bench";
  while (prompt.size() < prompt_bytes)
    prompt += " and some more context";
  return R"({"model":")" + model + R"(","stream":)" + (stream ? "true" : "false")
         + R"(,"messages":[{"role":"user","content":")" + prompt + R"("}]})";
}

/// One measured row.
struct row {
  bool stream = false;
  int concurrency = 1;
  std::string target; ///< "direct" or "gateway"
  load_result r;
  double rps = 0, p50_us = 0, p99_us = 0;
  int64_t gateway_rss_kib = -1; ///< after the run (gateway rows)
  double gateway_cpu_us = -1;   ///< the gateway's CPU per request (gateway rows)
};

/// Where one row's requests go.
struct target {
  std::string name;              ///< "direct", "gateway" or --other's NAME
  std::string base;              ///< its origin
  std::string model;             ///< the model it is asked for
  et::http::header_list headers; ///< besides Content-Type
  pid_t pid = -1;                ///< measured (RSS, CPU) when known
};

row measure(et::http::client& client, const target& t, bool stream, int c, double seconds,
            int64_t gap_ms) {
  row out;
  out.stream = stream;
  out.concurrency = c;
  out.target = t.name;
  auto gateway = t.pid;
  auto cpu0 = gateway > 0 ? scale::cpu_ms_of(gateway) : 0;
  out.r = run_load(client, {t.base, body(t.model, stream), stream, c, seconds, 0.5, t.headers,
                            std::chrono::milliseconds{gap_ms}});
  if (gateway > 0) {
    // Counted over warm-up and window alike: requests in both are what it served.
    auto served = static_cast<double>(out.r.ok + out.r.errors) * (seconds + 0.5) / seconds;
    out.gateway_cpu_us = (scale::cpu_ms_of(gateway) - cpu0) * 1e3 / std::max(1.0, served);
    out.gateway_rss_kib = rss_kib_of(gateway);
  }
  out.rps = static_cast<double>(out.r.ok) / out.r.seconds;
  out.p50_us = percentile(out.r.latencies_us, 0.5);
  out.p99_us = percentile(out.r.latencies_us, 0.99);
  return out;
}

void print_rows(const std::vector<row>& rows, double seconds, int64_t gap_ms) {
  std::printf("closed loop, %.1f s per row after 0.5 s warm-up; latency = send to last byte\n",
              seconds);
  if (gap_ms > 0)
    std::printf("each client waits %lld ms after an answer before its next request\n",
                static_cast<long long>(gap_ms));
  std::printf("%-6s %5s %-8s %9s %9s %9s %7s %11s %12s\n", "mode", "conc", "target", "req/s",
              "p50 us", "p99 us", "errors", "gw RSS MiB", "gw CPU us/rq");
  for (const auto& r : rows) {
    std::printf("%-6s %5d %-8s %9.0f %9.0f %9.0f %7lld", r.stream ? "stream" : "whole",
                r.concurrency, r.target.c_str(), r.rps, r.p50_us, r.p99_us,
                static_cast<long long>(r.r.errors));
    if (r.gateway_rss_kib >= 0)
      std::printf(" %11.1f %12.0f", r.gateway_rss_kib / 1024.0, r.gateway_cpu_us);
    std::printf("\n");
    if (!r.r.first_error.empty())
      std::printf("  first error: %s\n", r.r.first_error.c_str());
  }
  std::printf("\n%-6s %5s %-8s %16s %14s %14s\n", "mode", "conc", "target", "rps vs direct",
              "added p50 us", "added p99 us");
  const row* direct = nullptr;
  for (const auto& r : rows) {
    if (r.target == "direct") {
      direct = &r;
      continue;
    }
    std::printf("%-6s %5d %-8s %16.2f %14.0f %14.0f\n", r.stream ? "stream" : "whole",
                r.concurrency, r.target.c_str(), r.rps / std::max(1.0, direct->rps),
                r.p50_us - direct->p50_us, r.p99_us - direct->p99_us);
  }
}

std::string config_text(uint16_t upstream, const fs::path& state) {
  auto base = "http://127.0.0.1:" + std::to_string(upstream) + "/v1";
  return "providers:\n"
         "  up: {type: openai, base_url: \""
         + base
         + "\", max_connections: 256}\n"
           "  holder: {type: openai, base_url: \""
         + base
         + "\", headers: {x-fake-hold: \"1\"}}\n"
           "models:\n"
           "  gpt: {provider: up, model: fake-small}\n"
           "  held: {provider: holder, model: fake-small}\n"
           "defaults: {state_dir: \""
         + state.string() + "\"}\n";
}

// --key MODE: a key in the gateway's key store (the ledger); "" when none was asked for.
std::string make_key(std::string_view mode, const fs::path& state, std::string& error) {
  if (mode.empty())
    return {};
  if (mode != "rate" && mode != "budget") {
    error = "--key: expected rate or budget";
    return {};
  }
  auto keys = et::store::key_store::open(state / "ledger.sqlite");
  if (!keys) {
    error = keys.error().message;
    return {};
  }
  et::store::key_limits l;
  l.rpm = 1'000'000'000;
  l.tpm = 1'000'000'000'000;
  if (mode == "budget") {
    l.budget_day = 1'000'000;
    l.budget_total = 1'000'000;
  }
  auto name = "bench-" + std::to_string(::getpid());
  auto key = (*keys)->create(name, l, 0);
  if (!key)
    error = key.error().message;
  return key ? *key : std::string{};
}

} // namespace

int main(int argc, char** argv) {
  if (auto code = check_flags(argc, argv, "et-bench-gateway", usage_text,
                              {"--levels", "--seconds", "--hold", "--hold-prompt", "--json",
                               "--state", "--key", "--cpus", "--gap-ms", "--gateway-cpus", "--io",
                               "--other", "--other-model", "--other-pid", "--other-header"},
                              {"--other-header"});
      code >= 0)
    return code;
  auto flags = read_numbers(argc, argv);
  if (!flags)
    return 2;
  auto json_path = et::bench::json_path(argc, argv);
  auto levels = flags->levels;
  double seconds = flags->seconds;
  int64_t hold = flags->hold;
  std::optional<cpu_split> split;
  if (auto list = option(argc, argv, "--gateway-cpus"); !list.empty()) {
    std::string error;
    split = split_cpus(list, error);
    if (!split || !run_on(split->rest)) { // this thread first: the upstream inherits it
      std::fprintf(stderr, "et-bench-gateway: --gateway-cpus: %s\n",
                   split ? "the kernel refused the CPU affinity" : error.c_str());
      return 2;
    }
  }
  auto fds = scale::raise_fd_limit();
  std::printf("et-bench-gateway on %s, load average %s, descriptors %llu, %s\n",
              scale::machine().c_str(), scale::load_average().c_str(),
              static_cast<unsigned long long>(fds.soft), et::allocator_in_use().c_str());
  if (split)
    std::printf("gateway on CPUs %s; client and upstream on CPUs %s\n",
                cpu_list(split->chosen).c_str(), cpu_list(split->rest).c_str());
  char tmpl[] = "/tmp/et-bench-gateway-XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::fprintf(stderr, "et-bench-gateway: cannot make a temporary folder\n");
    return 1;
  }
  fs::path dir{tmpl};
  auto own = scale::own_directory();
  auto upstream = scale::start_upstream(own + "/et-fake-upstream");
  if (upstream.pid < 0) {
    std::fprintf(stderr, "et-bench-gateway: %s\n", upstream.error.c_str());
    return 1;
  }
  // --state DIR puts the gateway's ledger elsewhere (a tmpfs shows what its fsyncs cost).
  auto state = option(argc, argv, "--state");
  auto state_dir = state.empty() ? dir / "state" : fs::path{std::string{state}} / "state";
  std::ofstream{dir / "et.yaml"} << config_text(upstream.port, state_dir);
  std::string key_error;
  auto key = make_key(option(argc, argv, "--key"), state_dir, key_error);
  if (!key_error.empty()) {
    std::fprintf(stderr, "et-bench-gateway: %s\n", key_error.c_str());
    scale::stop_upstream(upstream);
    return 1;
  }
  std::vector<std::string> serve_flags{"--max-connections",
                                       std::to_string(std::max<int64_t>(1024, hold + 64))};
  if (flags->cpus > 0) // how et serve sizes its threads, to compare plans on one machine
    serve_flags.insert(serve_flags.end(), {"--cpus", std::to_string(flags->cpus)});
  if (auto io = option(argc, argv, "--io"); !io.empty()) // who runs its HTTP I/O
    serve_flags.insert(serve_flags.end(), {"--io", std::string{io}});
  if (split)
    run_on(split->chosen); // what et serve starts with, and sizes its threads for
  auto gw = start_gateway(own + "/et", (dir / "et.yaml").string(), (dir / "gateway.log").string(),
                          serve_flags);
  if (split)
    run_on(split->rest);
  if (gw.pid < 0) {
    std::fprintf(stderr, "et-bench-gateway: %s\n", gw.error.c_str());
    scale::stop_upstream(upstream);
    return 1;
  }
  auto direct_base = "http://127.0.0.1:" + std::to_string(upstream.port);
  auto gateway_base = "http://127.0.0.1:" + std::to_string(gw.port);
  int failures = 0;
  std::vector<json_row> json;
  {
    et::http::runtime rt{1};
    et::http::client_options o;
    o.max_idle_per_origin = 256; // every worker keeps its connection
    et::http::client client{rt, o};
    std::vector<target> targets{
        {"direct", direct_base, "fake-small", {}, -1},
        {key.empty() ? "gateway" : "gw+key", gateway_base, "gpt", {}, gw.pid}};
    if (!key.empty())
      targets.back().headers.emplace_back("Authorization", "Bearer " + key);
    if (auto other = option(argc, argv, "--other"); !other.empty()) {
      auto eq = other.find('=');
      target t{std::string{other.substr(0, eq)},
               std::string{other.substr(eq + 1)},
               std::string{option(argc, argv, "--other-model")},
               {},
               -1};
      if (auto pid = option(argc, argv, "--other-pid"); !pid.empty())
        t.pid = static_cast<int>(*whole_number(pid)); // checked by read_numbers
      for (int i = 1; i + 1 < argc; ++i)
        if (std::string_view{argv[i]} == "--other-header") {
          std::string h = argv[i + 1];
          auto colon = h.find(':');
          auto value = h.substr(colon + 1);
          value.erase(0, value.find_first_not_of(' '));
          if (auto at = value.find("{upstream}"); at != std::string::npos)
            value.replace(at, 10, direct_base);
          t.headers.emplace_back(h.substr(0, colon), value);
        }
      targets.push_back(std::move(t));
    }
    std::vector<row> rows;
    for (bool stream : {false, true})
      for (int c : levels)
        for (const auto& t : targets)
          rows.push_back(measure(client, t, stream, c, seconds, flags->gap_ms));
    print_rows(rows, seconds, flags->gap_ms);
    for (const auto& r : rows) {
      failures += r.r.errors > 0 || r.r.ok == 0;
      json.push_back(json_row{}
                         .add("bench", "gateway")
                         .add("mode", r.stream ? "stream" : "whole")
                         .add("concurrency", int64_t{r.concurrency})
                         .add("target", r.target)
                         .add("rps", r.rps)
                         .add("p50_us", r.p50_us)
                         .add("p99_us", r.p99_us)
                         .add("errors", r.r.errors)
                         .add("gateway_rss_kib", r.gateway_rss_kib)
                         .add("gateway_cpu_us", r.gateway_cpu_us));
    }
    if (hold > 0) {
      et::http::client holder{rt, {}};
      auto gw_before = rss_kib_of(gw.pid);
      auto me_before = scale::rss_kib();
      int64_t gw_open = 0, me_open = 0, up_open = 0;
      auto h = hold_streams(
          holder, gateway_base, body("held", true, static_cast<std::size_t>(flags->hold_prompt)),
          hold,
          [&] {
            gw_open = rss_kib_of(gw.pid);
            me_open = scale::rss_kib();
            up_open = rss_kib_of(upstream.pid);
          },
          [&] { post(client, direct_base, "/fake/release", ""); });
      std::printf("\n%lld streams held open through the gateway: %lld had their first text "
                  "after %.0f ms, %lld then ended whole\n",
                  static_cast<long long>(hold), static_cast<long long>(h.opened), h.open_ms,
                  static_cast<long long>(h.completed));
      std::printf("gateway RSS %.1f MiB (%.1f before), this client %.1f MiB (%.1f before): "
                  "server + client %.1f MiB; upstream %.1f MiB\n",
                  gw_open / 1024.0, gw_before / 1024.0, me_open / 1024.0, me_before / 1024.0,
                  (gw_open + me_open) / 1024.0, up_open / 1024.0);
      if (!h.first_error.empty())
        std::printf("  first error: %s\n", h.first_error.c_str());
      failures += h.completed != hold;
      json.push_back(json_row{}
                         .add("bench", "gateway_hold")
                         .add("streams", hold)
                         .add("opened", h.opened)
                         .add("completed", h.completed)
                         .add("open_ms", h.open_ms)
                         .add("gateway_rss_kib", gw_open)
                         .add("client_rss_kib", me_open)
                         .add("upstream_rss_kib", up_open));
    }
  }
  std::printf("load average at the end: %s\n", scale::load_average().c_str());
  stop_gateway(gw);
  scale::stop_upstream(upstream);
  std::error_code ec;
  if (failures == 0)
    fs::remove_all(dir, ec);
  else
    std::printf("(failures: the gateway's log is kept in %s)\n", gw.log.c_str());
  if (!save_json(json_path, json, "et-bench-gateway"))
    return 1;
  return failures == 0 ? 0 : 1;
}
