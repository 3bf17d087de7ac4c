#pragma once
/// Gives one side of a benchmark cores of its own: on a small machine, client, upstream and
/// the measured server otherwise share every core, and the measured throughput then tells
/// the machine's sharing as much as the code's cost.

#include <sched.h>

#include <optional>
#include <string>
#include <string_view>

namespace et::bench {

/// Two disjoint sets of this process's CPUs: the ones a flag names, and the rest.
struct cpu_split {
  cpu_set_t chosen; ///< the measured side (a gateway, an upstream)
  cpu_set_t rest;   ///< everything else
};

/// `list` (CPU numbers separated by commas, e.g. "1" or "2,3") as the chosen CPUs, the rest of
/// this process's affinity as everything else's; nullopt after `error` says why when a number
/// is not one this process may run on or nothing would be left.
std::optional<cpu_split> split_cpus(std::string_view list, std::string& error);

/// `cpus` as a list of CPU numbers separated by commas ("0,1").
std::string cpu_list(const cpu_set_t& cpus);

/// Moves the calling thread (and what it starts from now on: threads and processes inherit
/// it) onto `cpus`; false when the kernel refuses.
bool run_on(const cpu_set_t& cpus);

} // namespace et::bench
