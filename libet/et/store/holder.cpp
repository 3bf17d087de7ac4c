#include "et/store/holder.hpp"

#include <cerrno>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <unistd.h>

namespace et::store {

namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream in{path};
  std::string line;
  std::getline(in, line);
  return line;
}

// Field 22 of /proc/PID/stat (start time in clock ticks since boot). The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted after its last ')'.
std::string start_ticks(pid_t pid) {
  auto stat = read_first_line("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos)
    return {};
  std::istringstream rest{stat.substr(close + 1)};
  std::string field;
  for (int i = 3; i <= 22 && (rest >> field); ++i)
    if (i == 22)
      return field;
  return {};
}

} // namespace

std::string process_holder(pid_t pid) {
  if (pid <= 0)
    return {};
  auto ticks = start_ticks(pid);
  if (ticks.empty()) {
    // Without /proc only the pid can be checked.
    if (kill(pid, 0) != 0 && errno != EPERM)
      return {};
    ticks = "?";
  }
  auto boot = read_first_line("/proc/sys/kernel/random/boot_id");
  return std::to_string(pid) + " " + (boot.empty() ? "?" : boot) + " " + ticks;
}

std::string this_process_holder() {
  return process_holder(getpid());
}

bool holder_alive(const std::string& holder) {
  std::istringstream in{holder};
  long long pid = 0;
  if (!(in >> pid) || pid <= 0 || pid > 0x7fffffff)
    return false;
  auto now = process_holder(static_cast<pid_t>(pid));
  return !now.empty() && now == holder;
}

} // namespace et::store
