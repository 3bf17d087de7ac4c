#pragma once
/// How many cores this process may use, and how et sizes its thread pools
/// for them. A container's CPU quota counts, not the host's core count: a
/// gateway given two cores of a 64-core host must not start 64 threads.

#include <filesystem>
#include <optional>
#include <string_view>

namespace et::util {

/// The largest core count et plans for; more is refused as implausible.
inline constexpr unsigned max_cores = 1024;

/// The cores a cgroup v2 `cpu.max` text grants ("150000 100000" -> 2: quota
/// over period, rounded up); nullopt for "max ..." (no quota) and for text that
/// is not two whole numbers with a period above zero.
std::optional<unsigned> cores_of_cpu_max(std::string_view text);

/// The smallest quota of the cgroup `proc_self_cgroup` (the text of
/// /proc/self/cgroup) names and of each cgroup above it, read from the
/// `cpu.max` files under `root` (where cgroup v2 is mounted); nullopt when
/// none sets one. Only the v2 line ("0::/path") is read; a path that would
/// leave `root` or nest implausibly deep is not followed.
std::optional<unsigned> cgroup_quota_cores(const std::filesystem::path& root,
                                           std::string_view proc_self_cgroup);

/// The cores this process may run on (its CPU affinity), at most its
/// cgroup's quota, at least 1.
unsigned usable_cores();

/// How many threads each of et's pools runs.
struct thread_plan {
  unsigned cores = 2;     ///< the cores it is made for
  unsigned workers = 2;   ///< actor scheduler workers
  unsigned server_io = 1; ///< I/O threads of the gateway's HTTP server
  unsigned client_io = 1; ///< I/O threads of the HTTP client (the providers' calls)
  /// The workers run the HTTP I/O too (server and client), and no I/O thread is started:
  /// server_io and client_io are then 0.
  bool io_on_workers = false;
};

/// The plan for `cores` (1 to max_cores): a third of them for each pool, since
/// a busy gateway spends about as much CPU in each (server I/O 32 %, client I/O
/// 29 %, workers 30 % of its threads' time at C=64), and never fewer than 2
/// workers and 1 thread of each I/O pool (what measured best on 2 cores, where
/// four threads share them), 1 worker on a single core (where a second one only
/// adds switches); at most 32 per pool.
thread_plan plan_threads(unsigned cores);

/// The plan of the commands other than `et serve`, whose work is a few model calls at
/// a time: 2 workers (1 on a single core) and 1 I/O thread.
thread_plan command_plan(unsigned cores);

/// The plan for `cores` with the HTTP I/O run by the actor workers: one worker a core (at
/// most 96: the three pools' bound), no I/O threads.
thread_plan workers_plan(unsigned cores);

} // namespace et::util
