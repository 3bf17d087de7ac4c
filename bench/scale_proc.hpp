#pragma once
/// Process plumbing of the scale benchmark: file descriptor limits, memory and
/// CPU readings from /proc and getrusage, and child processes (the fake
/// upstream and one measured child per level and path).

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace et::bench::scale {

/// The RLIMIT_NOFILE limits after raise_fd_limit().
struct fd_limits {
  uint64_t soft = 0; ///< in force now (children inherit it)
  uint64_t hard = 0; ///< the ceiling an unprivileged process may raise to
};

/// Raises this process's soft RLIMIT_NOFILE to its hard limit; children
/// started afterwards inherit it.
fd_limits raise_fd_limit();

/// How many local ports connect() may pick from (ip_local_port_range); 0 if unknown.
uint64_t ephemeral_ports();

/// This process's resident set (VmRSS), KiB.
int64_t rss_kib();

/// This process's peak resident set so far (VmHWM), KiB.
int64_t peak_rss_kib();

/// CPU time of every thread of this process, user + system, milliseconds.
double cpu_ms();

/// CPU time of process `pid` so far, user + system, milliseconds; -1 if unknown.
double cpu_ms_of(pid_t pid);

/// The first line of /proc/loadavg's three load averages, e.g. "1.02 0.87 0.60".
std::string load_average();

/// "nproc" and the CPU model from /proc/cpuinfo, e.g. "2 x AMD EPYC".
std::string machine();

/// The directory of this executable, for finding its sibling binaries.
std::string own_directory();

/// A running et-fake-upstream.
struct upstream_process {
  pid_t pid = -1;    ///< -1 when it did not start
  uint16_t port = 0; ///< where it listens
  std::string error; ///< why it did not start
};

/// Starts the fake upstream at `path` on a free loopback port with one I/O
/// thread (`extra` flags follow and may override it) and waits for its
/// "listening on" line.
upstream_process start_upstream(const std::string& path,
                                const std::vector<std::string>& extra = {});

/// Stops it (SIGTERM) and reaps it.
void stop_upstream(upstream_process& p);

/// What a child printed on stdout and how it ended.
struct child_outcome {
  std::string output; ///< its whole stdout
  int status = -1;    ///< exit code, or -1 if it died of a signal or did not start
};

/// Runs `path` with `args` to completion; stdout is captured, stderr is ours.
child_outcome run_child(const std::string& path, const std::vector<std::string>& args);

} // namespace et::bench::scale
