#pragma once
/// How many threads of a process carry a name (/proc/PID/task/*/comm), for suites that check
/// how many threads a pool started. Linux only.

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>

namespace et::test {

/// The threads of process `pid` (this one by default) named `name`.
inline std::size_t threads_named(const std::string& name, pid_t pid = 0) {
  std::string dir = pid > 0 ? "/proc/" + std::to_string(pid) + "/task" : "/proc/self/task";
  std::size_t n = 0;
  for (const auto& task : std::filesystem::directory_iterator{dir}) {
    std::ifstream comm{task.path() / "comm"};
    std::string line;
    if (std::getline(comm, line) && line == name)
      ++n;
  }
  return n;
}

} // namespace et::test
