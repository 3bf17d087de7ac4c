// Scale: N concurrent streaming OpenAI requests all in flight at once in one
// process, at several N, read against a reference in the same run. The fake
// upstream runs as a separate process (et-fake-upstream) and holds every
// stream open after its first chunk (x-fake-hold) until the client releases
// them (POST /fake/release). Each level and path runs in a fresh child process
// of this binary, so one level's heap does not hide the next:
//   direct  provider::http_provider on libet's HTTP client (the reference)
//   router  driver actor -> router -> HTTP provider actor -> the same client
// The child reads its RSS just before sending and again when all N have their
// first chunk, and its CPU time (all threads) from the first send to the last
// completion; every stream must then finish with the whole expected answer.
// Prints tables; --json FILE also writes one object per row.
//
// Each level and path runs --repeat times (3), the paths taking turns; the
// tables show medians.
//
//   et-bench-scale [--levels 100,1000,2000,5000,10000] [--repeat 3] [--json FILE]
#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scale_proc.hpp"
#include "scale_side.hpp"
#include "support.hpp"

namespace {

using namespace et::bench;
using namespace et::bench::scale;

// Descriptors a child needs beside its N sockets: stdio, the warm-up's idle
// connections, the release request, epoll and the actor system's own.
constexpr uint64_t fd_margin = 128;

/// One child's numbers.
struct sample {
  double rss_delta_kib = 0;   ///< RSS with all N in flight minus RSS before sending
  double kib_per_stream = 0;  ///< rss_delta_kib / N
  double hwm_delta_kib = 0;   ///< peak RSS of the whole level minus RSS before sending
  double cpu_us = 0;          ///< CPU per stream, first send to last completion
  double cpu_inflight_us = 0; ///< CPU per stream, first send to the last first chunk
  double inflight_ms = 0;     ///< wall time until all N had their first chunk
  double total_ms = 0;        ///< wall time until the last completion
  double upstream_us = 0;     ///< the fake upstream's CPU per stream meanwhile
};

sample sample_of(const side_result& r, double upstream_cpu_ms) {
  auto n = static_cast<double>(r.streams);
  sample s;
  s.rss_delta_kib = static_cast<double>(r.peak_kib - r.baseline_kib);
  s.kib_per_stream = s.rss_delta_kib / n;
  s.hwm_delta_kib = static_cast<double>(r.hwm_kib - r.baseline_kib);
  s.cpu_us = r.cpu_total_ms * 1e3 / n;
  s.cpu_inflight_us = r.cpu_inflight_ms * 1e3 / n;
  s.inflight_ms = r.inflight_ms;
  s.total_ms = r.total_ms;
  s.upstream_us = upstream_cpu_ms * 1e3 / n;
  return s;
}

/// One level of one path: its repetitions, or why it failed or did not run.
struct row {
  int64_t streams = 0;      ///< N
  path side = path::direct; ///< which path
  std::vector<sample> runs; ///< one per repetition that passed
  std::string error;        ///< "" when every repetition passed its checks

  /// Whether it ran and every repetition passed.
  bool ok() const { return error.empty() && !runs.empty(); }

  /// The median of one field over the repetitions (the upper one of an even count).
  double median(double sample::*field) const {
    auto v = values(field);
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  }
  /// The smallest value of one field.
  double low(double sample::*field) const {
    auto v = values(field);
    return *std::min_element(v.begin(), v.end());
  }
  /// The largest value of one field.
  double high(double sample::*field) const {
    auto v = values(field);
    return *std::max_element(v.begin(), v.end());
  }

private:
  std::vector<double> values(double sample::*field) const {
    std::vector<double> v;
    for (const auto& s : runs)
      v.push_back(s.*field);
    return v;
  }
};

// "100,1000": each a positive whole number; nullopt when one is not.
std::optional<std::vector<int64_t>> parse_levels(std::string_view text) {
  return whole_numbers(text, 1, std::numeric_limits<int64_t>::max());
}

// The child's entry: --child PATH N PORT; prints one result line (run_side exits
// by itself on a failure).
int child_main(int argc, char** argv) {
  auto side = argc == 5 ? path_from_string(argv[2]) : std::nullopt;
  if (!side) {
    std::fprintf(stderr, "et-bench-scale: usage: --child direct|router N PORT\n");
    return 2;
  }
  run_side(*side, std::atoll(argv[3]), static_cast<uint16_t>(std::atoi(argv[4])));
  return 0;
}

// Why a level cannot run here, or "".
std::string cannot_run(int64_t n, const fd_limits& fds, uint64_t ports) {
  auto need = static_cast<uint64_t>(n) + fd_margin;
  if (need > fds.soft)
    return "needs ~" + std::to_string(need) + " descriptors per process, RLIMIT_NOFILE is "
           + std::to_string(fds.soft) + " (hard " + std::to_string(fds.hard) + ")";
  // N connections to one upstream port at once need N local ports. Closed
  // ones wait in TIME_WAIT, which Linux reuses on loopback (tcp_tw_reuse 2).
  if (ports != 0 && static_cast<uint64_t>(n) + fd_margin > ports)
    return "needs ~" + std::to_string(n) + " local ports at once, ip_local_port_range has "
           + std::to_string(ports);
  return "";
}

// One child for one path at one level; "" or what went wrong.
std::string measure(row& into, const upstream_process& up) {
  auto before = cpu_ms_of(up.pid);
  auto child = run_child("/proc/self/exe", {"--child", to_string(into.side),
                                            std::to_string(into.streams), std::to_string(up.port)});
  auto upstream_ms = cpu_ms_of(up.pid) - before;
  auto r = side_result::from_line(child.output);
  if (!r)
    return "the child exited with status " + std::to_string(child.status) + " and no result";
  if (r->error.empty())
    into.runs.push_back(sample_of(*r, upstream_ms));
  return r->error;
}

// Both paths of one level, `repeat` times each, against one fresh upstream
// process. The paths take turns, and swap who goes first every repetition.
void run_level(int64_t n, int repeat, const std::string& upstream_path, std::vector<row>& rows) {
  row sides[2] = {{n, path::direct, {}, ""}, {n, path::router, {}, ""}};
  auto up = start_upstream(upstream_path);
  for (int rep = 0; rep < repeat && up.pid >= 0; ++rep)
    for (int k = 0; k < 2; ++k) {
      auto& w = sides[(k + rep) % 2];
      if (!w.error.empty())
        continue;
      w.error = measure(w, up);
      std::fprintf(stderr, "  %6lld %-6s #%d %s\n", static_cast<long long>(n),
                   to_string(w.side).c_str(), rep + 1, w.error.empty() ? "ok" : w.error.c_str());
    }
  for (auto& w : sides) {
    if (up.pid < 0)
      w.error = up.error;
    rows.push_back(std::move(w));
  }
  stop_upstream(up);
}

void print_rows(const std::vector<row>& rows) {
  std::printf("\n%7s %-6s %9s %10s %22s %16s %12s %9s %13s\n", "streams", "path", "RSS+ MiB",
              "KiB/stream", "CPU us/stream (range)", "of it in flight", "in flight ms", "total ms",
              "upstream us/s");
  for (const auto& w : rows) {
    if (!w.ok()) {
      std::printf("%7lld %-6s %s\n", static_cast<long long>(w.streams), to_string(w.side).c_str(),
                  w.error.c_str());
      continue;
    }
    char range[32];
    std::snprintf(range, sizeof range, "%.0f (%.0f-%.0f)", w.median(&sample::cpu_us),
                  w.low(&sample::cpu_us), w.high(&sample::cpu_us));
    std::printf("%7lld %-6s %9.1f %10.2f %22s %16.0f %12.0f %9.0f %13.0f\n",
                static_cast<long long>(w.streams), to_string(w.side).c_str(),
                w.median(&sample::rss_delta_kib) / 1024, w.median(&sample::kib_per_stream), range,
                w.median(&sample::cpu_inflight_us), w.median(&sample::inflight_ms),
                w.median(&sample::total_ms), w.median(&sample::upstream_us));
  }
}

void print_ratios(const std::vector<row>& rows) {
  std::printf("\n%7s %24s %6s %24s %6s %19s\n", "streams", "KiB/stream direct/router", "ratio",
              "CPU us/stream dir/router", "ratio", "in flight ms d/r");
  for (size_t i = 0; i + 1 < rows.size(); i += 2) {
    const auto& d = rows[i];
    const auto& r = rows[i + 1];
    if (!d.ok() || !r.ok())
      continue;
    auto dk = d.median(&sample::kib_per_stream), rk = r.median(&sample::kib_per_stream);
    auto dc = d.median(&sample::cpu_us), rc = r.median(&sample::cpu_us);
    std::printf("%7lld %11.2f / %10.2f %6.2f %11.0f / %10.0f %6.2f %9.0f / %7.0f\n",
                static_cast<long long>(d.streams), dk, rk, rk / dk, dc, rc, rc / dc,
                d.median(&sample::inflight_ms), r.median(&sample::inflight_ms));
  }
}

std::vector<json_row> to_json(const std::vector<row>& rows) {
  std::vector<json_row> out;
  for (const auto& w : rows) {
    json_row j;
    j.add("bench", "scale").add("path", to_string(w.side)).add("streams", w.streams);
    if (w.ok())
      j.add("runs", static_cast<int64_t>(w.runs.size()))
          .add("rss_delta_kib", w.median(&sample::rss_delta_kib))
          .add("kib_per_stream", w.median(&sample::kib_per_stream))
          .add("hwm_delta_kib", w.median(&sample::hwm_delta_kib))
          .add("cpu_us_per_stream", w.median(&sample::cpu_us))
          .add("cpu_us_per_stream_min", w.low(&sample::cpu_us))
          .add("cpu_us_per_stream_max", w.high(&sample::cpu_us))
          .add("cpu_inflight_us_per_stream", w.median(&sample::cpu_inflight_us))
          .add("inflight_ms", w.median(&sample::inflight_ms))
          .add("total_ms", w.median(&sample::total_ms))
          .add("upstream_cpu_us_per_stream", w.median(&sample::upstream_us));
    else
      j.add("error", w.error);
    out.push_back(std::move(j));
  }
  return out;
}

void print_header(const fd_limits& fds, uint64_t ports, int repeat) {
  std::printf("scale: N streams held open at once after their first chunk; each level and path\n"
              "%d times, each time in a fresh child process; the fake upstream in a process of\n"
              "its own (1 I/O thread)\n"
              "machine: %s; RLIMIT_NOFILE %llu (hard %llu); %llu local ports; load %s\n",
              repeat, machine().c_str(), static_cast<unsigned long long>(fds.soft),
              static_cast<unsigned long long>(fds.hard), static_cast<unsigned long long>(ports),
              load_average().c_str());
  std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view{argv[1]} == "--child")
    return child_main(argc, argv);
  if (auto code =
          check_flags(argc, argv, "et-bench-scale", "[--levels N,N...] [--repeat N] [--json FILE]",
                      {"--levels", "--repeat", "--json"});
      code >= 0)
    return code;
  auto fds = raise_fd_limit(); // children (and the upstream) inherit it
  auto ports = ephemeral_ports();
  auto parsed = parse_levels(option(argc, argv, "--levels"));
  auto repeat_text = option(argc, argv, "--repeat");
  auto repeat_flag = whole_number(repeat_text);
  if (!parsed || (!repeat_text.empty() && (!repeat_flag || *repeat_flag < 1))) {
    std::fprintf(stderr, "et-bench-scale: --levels takes positive whole numbers separated by "
                         "commas, --repeat a positive whole number\n");
    return 2;
  }
  auto levels = parsed->empty() ? std::vector<int64_t>{100, 1000, 2000, 5000, 10000} : *parsed;
  int repeat = repeat_text.empty() ? 3 : static_cast<int>(std::min<int64_t>(*repeat_flag, 1000));
  print_header(fds, ports, repeat);
  auto upstream_path = own_directory() + "/et-fake-upstream";
  std::vector<row> rows;
  bool failed = false;
  for (auto n : levels) {
    if (auto why = cannot_run(n, fds, ports); !why.empty()) {
      for (auto side : {path::direct, path::router})
        rows.push_back(row{n, side, {}, "skipped: " + why});
      continue;
    }
    run_level(n, repeat, upstream_path, rows);
    failed = failed || !rows[rows.size() - 1].ok() || !rows[rows.size() - 2].ok();
  }
  print_rows(rows);
  print_ratios(rows);
  std::printf("(medians of %d runs; RSS+ = RSS when all N had their first chunk minus RSS just\n"
              " before sending; CPU = the child's user + system time, all threads, from the first\n"
              " send to the last completion (\"of it in flight\": to the last first chunk);\n"
              " upstream = the fake upstream's CPU; load average at the end: %s)\n",
              repeat, load_average().c_str());
  auto json = json_path(argc, argv);
  if (!save_json(json, to_json(rows), "et-bench-scale"))
    return 1;
  return failed ? 1 : 0;
}
