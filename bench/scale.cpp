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
//   et-bench-scale [--levels 100,1000,2000,5000,10000] [--json FILE]
#include <cstdio>
#include <cstdlib>
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

/// One measured (or skipped) level of one path.
struct row {
  int64_t streams = 0;
  path side = path::direct;
  side_result r;
  double upstream_cpu_ms = 0; ///< the fake upstream's CPU during the child
  std::string skipped;        ///< why the level did not run ("" = it ran)

  double rss_delta_kib() const { return static_cast<double>(r.peak_kib - r.baseline_kib); }
  double kib_per_stream() const { return rss_delta_kib() / static_cast<double>(streams); }
  double cpu_us_per_stream() const { return r.cpu_total_ms * 1e3 / static_cast<double>(streams); }
  double upstream_us_per_stream() const {
    return upstream_cpu_ms * 1e3 / static_cast<double>(streams);
  }
  bool ok() const { return skipped.empty() && r.error.empty(); }
};

std::vector<int64_t> parse_levels(std::string_view text) {
  std::vector<int64_t> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto n = std::atoll(std::string{text.substr(0, comma)}.c_str());
    if (n > 0)
      out.push_back(n);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

std::vector<int64_t> levels_arg(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view{argv[i]} == "--levels")
      return parse_levels(argv[i + 1]);
  return {100, 1000, 2000, 5000, 10000};
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
  if (ports != 0 && 2 * static_cast<uint64_t>(n) > ports)
    return "needs " + std::to_string(2 * n) + " local ports, ip_local_port_range has "
           + std::to_string(ports);
  return "";
}

row measure(path side, int64_t n, const upstream_process& up) {
  row out{n, side, {}, 0, ""};
  auto before = cpu_ms_of(up.pid);
  auto child = run_child("/proc/self/exe",
                         {"--child", to_string(side), std::to_string(n), std::to_string(up.port)});
  out.upstream_cpu_ms = cpu_ms_of(up.pid) - before;
  auto parsed = side_result::from_line(child.output);
  if (parsed)
    out.r = *parsed;
  else
    out.r.error = "the child exited with status " + std::to_string(child.status) + " and no result";
  return out;
}

// Both paths of one level against one fresh upstream process.
void run_level(int64_t n, const std::string& upstream_path, std::vector<row>& rows) {
  auto up = start_upstream(upstream_path);
  for (auto side : {path::direct, path::router}) {
    if (up.pid < 0) {
      rows.push_back(row{n, side, {}, 0, up.error});
      continue;
    }
    rows.push_back(measure(side, n, up));
    const auto& r = rows.back();
    std::fprintf(stderr, "  %6lld %-6s %s\n", static_cast<long long>(n), to_string(side).c_str(),
                 r.ok() ? "ok" : r.r.error.c_str());
  }
  stop_upstream(up);
}

void print_rows(const std::vector<row>& rows) {
  std::printf("\n%7s %-6s %9s %10s %14s %14s %10s %10s %14s  %s\n", "streams", "path", "RSS+ MiB",
              "KiB/stream", "CPU us/stream", "(to in flight)", "in flight", "total ms",
              "upstream us/st", "check");
  for (const auto& w : rows) {
    if (!w.skipped.empty()) {
      std::printf("%7lld %-6s skipped: %s\n", static_cast<long long>(w.streams),
                  to_string(w.side).c_str(), w.skipped.c_str());
      continue;
    }
    std::printf("%7lld %-6s %9.1f %10.2f %14.1f %14.1f %10.0f %10.0f %14.1f  %s\n",
                static_cast<long long>(w.streams), to_string(w.side).c_str(),
                w.rss_delta_kib() / 1024, w.kib_per_stream(), w.cpu_us_per_stream(),
                w.r.cpu_inflight_ms * 1e3 / static_cast<double>(w.streams), w.r.inflight_ms,
                w.r.total_ms, w.upstream_us_per_stream(),
                w.ok() ? "all in flight, all complete" : w.r.error.c_str());
  }
}

void print_ratios(const std::vector<row>& rows) {
  std::printf("\n%7s %22s %8s %26s %8s %22s\n", "streams", "KiB/stream direct/router", "ratio",
              "CPU us/stream direct/router", "ratio", "in flight ms d/r");
  for (size_t i = 0; i + 1 < rows.size(); i += 2) {
    const auto& d = rows[i];
    const auto& r = rows[i + 1];
    if (!d.ok() || !r.ok())
      continue;
    std::printf("%7lld %11.2f / %8.2f %8.2f %13.1f / %10.1f %8.2f %11.0f / %8.0f\n",
                static_cast<long long>(d.streams), d.kib_per_stream(), r.kib_per_stream(),
                r.kib_per_stream() / d.kib_per_stream(), d.cpu_us_per_stream(),
                r.cpu_us_per_stream(), r.cpu_us_per_stream() / d.cpu_us_per_stream(),
                d.r.inflight_ms, r.r.inflight_ms);
  }
}

std::vector<json_row> to_json(const std::vector<row>& rows) {
  std::vector<json_row> out;
  for (const auto& w : rows) {
    json_row j;
    j.add("bench", "scale").add("path", to_string(w.side)).add("streams", w.streams);
    if (w.ok())
      j.add("rss_delta_kib", w.rss_delta_kib())
          .add("kib_per_stream", w.kib_per_stream())
          .add("cpu_us_per_stream", w.cpu_us_per_stream())
          .add("inflight_ms", w.r.inflight_ms)
          .add("total_ms", w.r.total_ms)
          .add("hwm_delta_kib", static_cast<double>(w.r.hwm_kib - w.r.baseline_kib))
          .add("upstream_cpu_us_per_stream", w.upstream_us_per_stream());
    else
      j.add("error", w.skipped.empty() ? w.r.error : "skipped: " + w.skipped);
    out.push_back(std::move(j));
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view{argv[1]} == "--child")
    return child_main(argc, argv);
  auto fds = raise_fd_limit(); // children (and the upstream) inherit it
  auto ports = ephemeral_ports();
  std::printf("scale: N streams held open at once after their first chunk, each level and path\n"
              "in a fresh child process; fake upstream in its own process (1 I/O thread)\n"
              "machine: %s; RLIMIT_NOFILE %llu (hard %llu); %llu local ports; load %s\n",
              machine().c_str(), static_cast<unsigned long long>(fds.soft),
              static_cast<unsigned long long>(fds.hard), static_cast<unsigned long long>(ports),
              load_average().c_str());
  std::fflush(stdout);
  auto upstream_path = own_directory() + "/et-fake-upstream";
  std::vector<row> rows;
  for (auto n : levels_arg(argc, argv)) {
    if (auto why = cannot_run(n, fds, ports); !why.empty()) {
      for (auto side : {path::direct, path::router})
        rows.push_back(row{n, side, {}, 0, why});
      continue;
    }
    run_level(n, upstream_path, rows);
  }
  print_rows(rows);
  print_ratios(rows);
  std::printf("(RSS+ = RSS when all N had their first chunk minus RSS just before sending;\n"
              " CPU = the child's user + system time, all threads, first send to last completion;\n"
              " load average at the end: %s)\n",
              load_average().c_str());
  auto json = json_path(argc, argv);
  if (!json.empty() && !write_json(json, to_json(rows))) {
    std::fprintf(stderr, "et-bench-scale: cannot write %s\n", json.c_str());
    return 1;
  }
  for (const auto& w : rows)
    if (!w.ok() && w.skipped.empty())
      return 1;
  return 0;
}
