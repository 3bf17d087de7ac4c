#include "et/workspace/detail/reaper.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace et::workspace::detail {

namespace {

using clock_type = std::chrono::steady_clock;

// How long one sweep may wait for killed processes to die (a process in uninterruptible sleep
// dies only when the kernel lets it).
constexpr std::chrono::milliseconds sweep_limit{3000};

std::mutex mutex;
int running = 0;
// Children this process had before the first command started: not the commands' orphans.
std::vector<pid_t> before;

// The parent of `pid` from /proc/PID/stat, or -1 when it is gone.
pid_t parent_of(const char* pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%s/stat", pid);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  char buf[512];
  auto n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last.
  std::string_view line{buf, static_cast<size_t>(n)};
  auto close = line.rfind(')');
  if (close == std::string_view::npos || close + 4 >= line.size())
    return -1;
  return static_cast<pid_t>(std::strtol(buf + close + 4, nullptr, 10));
}

// Every child of this process but `spare` and those in `before`.
std::vector<pid_t> children(pid_t spare) {
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr)
    return out;
  auto self = ::getpid();
  while (auto* e = ::readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    auto pid = static_cast<pid_t>(std::strtol(e->d_name, nullptr, 10));
    if (pid != spare && parent_of(e->d_name) == self
        && std::find(before.begin(), before.end(), pid) == before.end())
      out.push_back(pid);
  }
  ::closedir(proc);
  return out;
}

// Kills the children but `spare` and reaps them; a killed process's own children become ours
// when it dies, so this repeats until none is left (or the time is up).
void kill_children(pid_t spare) {
  auto until = clock_type::now() + sweep_limit;
  for (auto kids = children(spare); !kids.empty() && clock_type::now() < until;
       kids = children(spare)) {
    for (auto pid : kids)
      ::kill(pid, SIGKILL);
    for (auto pid : kids) {
      for (;;) {
        int status = 0;
        auto rc = ::waitpid(pid, &status, WNOHANG);
        if (rc == pid || (rc < 0 && errno != EINTR) || clock_type::now() >= until)
          break;
        std::this_thread::sleep_for(std::chrono::milliseconds{1});
      }
    }
  }
}

} // namespace

orphan_guard::orphan_guard() {
  std::lock_guard<std::mutex> lock{mutex};
  if (running++ == 0) {
    before.clear();
    before = children(-1);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  }
}

orphan_guard::~orphan_guard() {
  std::lock_guard<std::mutex> lock{mutex};
  if (--running == 0) {
    kill_children(-1);
    ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
  }
}

void orphan_guard::sweep_if_alone(pid_t leader) {
  std::lock_guard<std::mutex> lock{mutex};
  if (running == 1)
    kill_children(leader);
}

} // namespace et::workspace::detail
