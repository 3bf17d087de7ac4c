#pragma once
/// Gives a benchmark's server cores of its own: on a small machine, client, upstream and
/// server otherwise share every core, and the server's throughput then measures the
/// machine as much as the server.

#include <sched.h>

#include <optional>
#include <string>
#include <string_view>

namespace et::bench {

/// Two disjoint sets of this process's CPUs: the server's, and the rest for everything else.
struct cpu_split {
  cpu_set_t server;  ///< where the measured server runs
  cpu_set_t rest;    ///< where the client and the upstream run
  std::string shown; ///< "server on CPUs 1; client and upstream on CPUs 0"
};

/// `list` (CPU numbers separated by commas, e.g. "1" or "2,3") as the server's CPUs, the
/// rest of this process's affinity as everything else's; nullopt after `error` says why
/// when a number is not one this process may run on or nothing would be left.
std::optional<cpu_split> split_cpus(std::string_view list, std::string& error);

/// Moves the calling thread (and what it starts from now on: threads and processes inherit
/// it) onto `cpus`; false when the kernel refuses.
bool run_on(const cpu_set_t& cpus);

} // namespace et::bench
