#include "cpu_split.hpp"

#include "support.hpp"

namespace et::bench {

std::string cpu_list(const cpu_set_t& cpus) {
  std::string out;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &cpus))
      out += (out.empty() ? "" : ",") + std::to_string(cpu);
  return out;
}

std::optional<cpu_split> split_cpus(std::string_view list, std::string& error) {
  cpu_set_t mine;
  CPU_ZERO(&mine);
  if (::sched_getaffinity(0, sizeof mine, &mine) != 0) {
    error = "cannot read this process's CPU affinity";
    return std::nullopt;
  }
  auto numbers = whole_numbers(list, 0, CPU_SETSIZE - 1);
  if (!numbers || numbers->empty()) {
    error = "expected CPU numbers separated by commas";
    return std::nullopt;
  }
  cpu_split split;
  CPU_ZERO(&split.chosen);
  for (auto cpu : *numbers) {
    if (!CPU_ISSET(cpu, &mine)) {
      error = "CPU " + std::to_string(cpu) + " is not one this process may run on ("
              + cpu_list(mine) + ")";
      return std::nullopt;
    }
    CPU_SET(cpu, &split.chosen);
  }
  CPU_XOR(&split.rest, &mine, &split.chosen);
  if (CPU_COUNT(&split.rest) == 0) {
    error = "no CPU is left for the rest (this process may use " + cpu_list(mine) + ")";
    return std::nullopt;
  }
  return split;
}

bool run_on(const cpu_set_t& cpus) {
  return ::sched_setaffinity(0, sizeof cpus, &cpus) == 0;
}

} // namespace et::bench
