#include "et/workspace/limits.hpp"

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

namespace et::workspace {

namespace {

// The real uid and thread count of /proc/PID/status, when it can be read.
bool read_status(const std::string& pid, unsigned& uid, uint64_t& threads) {
  std::ifstream in{"/proc/" + pid + "/status"};
  bool have_uid = false;
  bool have_threads = false;
  for (std::string line; std::getline(in, line) && !(have_uid && have_threads);) {
    if (line.rfind("Uid:", 0) == 0)
      have_uid = std::sscanf(line.c_str() + 4, "%u", &uid) == 1;
    else if (line.rfind("Threads:", 0) == 0)
      have_threads = std::sscanf(line.c_str() + 8, "%" SCNu64, &threads) == 1;
  }
  return have_uid && have_threads;
}

// `wanted`, or this process's hard limit of `resource` when that is lower.
uint64_t within_hard(int resource, uint64_t wanted) {
  rlimit now{};
  if (::getrlimit(resource, &now) != 0 || now.rlim_max == RLIM_INFINITY)
    return wanted;
  return std::min<uint64_t>(wanted, now.rlim_max);
}

} // namespace

uint64_t tasks_of_user(unsigned uid) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr)
    return 0;
  uint64_t total = 0;
  while (auto* e = ::readdir(proc)) {
    std::string_view name = e->d_name;
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name.front())))
      continue;
    unsigned owner = 0;
    uint64_t threads = 0;
    if (read_status(std::string{name}, owner, threads) && owner == uid)
      total += threads;
  }
  ::closedir(proc);
  return total;
}

std::vector<rlimit_setting> rlimits_for(const command_limits& limits, uint64_t tasks_now) {
  std::vector<rlimit_setting> out;
  auto add = [&](int resource, uint64_t value) {
    out.push_back({resource, within_hard(resource, value)});
  };
  if (limits.processes && tasks_now > 0)
    add(RLIMIT_NPROC, tasks_now + limits.processes);
  if (limits.file_bytes)
    add(RLIMIT_FSIZE, limits.file_bytes);
  if (limits.memory_bytes)
    add(RLIMIT_AS, limits.memory_bytes);
  if (limits.no_core_dumps)
    out.push_back({RLIMIT_CORE, 0});
  return out;
}

} // namespace et::workspace
