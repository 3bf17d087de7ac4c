#include "scale_proc.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace et::bench::scale {

namespace {

// The value after "Key:" in /proc/self/status, in KiB; -1 if absent.
int64_t status_kib(const std::string& key) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0)
      return std::atoll(line.c_str() + key.size() + 1);
  return -1;
}

double ms_of(const timeval& t) {
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
}

std::vector<char*> argv_of(const std::string& path, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Starts `path` with its stdout on a pipe (returned in `out_fd`) and, when
// `quiet`, its stderr on /dev/null. posix_spawn, so it is safe with threads.
pid_t spawn_piped(const std::string& path, const std::vector<std::string>& args, bool quiet,
                  int& out_fd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  if (quiet)
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  auto argv = argv_of(path, args);
  pid_t pid = -1;
  if (posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  out_fd = fds[0];
  if (pid < 0) {
    close(fds[0]);
    out_fd = -1;
  }
  return pid;
}

// Reads one line from `fd`, waiting at most `seconds`; "" on timeout or EOF.
std::string read_line(int fd, int seconds) {
  std::string line;
  char c = 0;
  while (line.empty() || line.back() != '\n') {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, seconds * 1000) <= 0 || read(fd, &c, 1) != 1)
      return "";
    line.push_back(c);
  }
  return line;
}

} // namespace

fd_limits raise_fd_limit() {
  rlimit r{};
  getrlimit(RLIMIT_NOFILE, &r);
  if (r.rlim_cur < r.rlim_max) {
    auto wanted = r;
    wanted.rlim_cur = r.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &wanted) == 0)
      r = wanted;
  }
  return {static_cast<uint64_t>(r.rlim_cur), static_cast<uint64_t>(r.rlim_max)};
}

uint64_t ephemeral_ports() {
  std::ifstream in{"/proc/sys/net/ipv4/ip_local_port_range"};
  uint64_t lo = 0, hi = 0;
  if (!(in >> lo >> hi) || hi < lo)
    return 0;
  return hi - lo + 1;
}

int64_t rss_kib() {
  return status_kib("VmRSS");
}

int64_t peak_rss_kib() {
  return status_kib("VmHWM");
}

double cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return ms_of(u.ru_utime) + ms_of(u.ru_stime);
}

double cpu_ms_of(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text;
  std::getline(in, text);
  // Fields after the ")" that ends the command name: utime and stime are 14 and 15.
  auto close_paren = text.rfind(')');
  if (close_paren == std::string::npos)
    return -1;
  std::istringstream rest{text.substr(close_paren + 2)};
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14)
      utime = std::atof(field.c_str());
    if (i == 15)
      stime = std::atof(field.c_str());
  }
  return (utime + stime) * 1e3 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string load_average() {
  std::ifstream in{"/proc/loadavg"};
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

std::string machine() {
  std::ifstream in{"/proc/cpuinfo"};
  std::string line, model = "unknown CPU";
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return std::to_string(std::thread::hardware_concurrency()) + " x " + model;
}

std::string own_directory() {
  char buf[4096];
  auto n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return ".";
  std::string path{buf, static_cast<size_t>(n)};
  return path.substr(0, path.rfind('/'));
}

upstream_process start_upstream(const std::string& path, const std::vector<std::string>& extra) {
  upstream_process p;
  int out = -1;
  std::vector<std::string> args{"--port", "0", "--threads", "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  p.pid = spawn_piped(path, args, true, out);
  if (p.pid < 0) {
    p.error = "cannot start " + path + ": " + std::strerror(errno);
    return p;
  }
  auto line = read_line(out, 10);
  close(out);
  auto colon = line.rfind(':');
  if (line.rfind("listening on ", 0) != 0 || colon == std::string::npos) {
    p.error = path + " did not report its port";
    stop_upstream(p);
    return p;
  }
  p.port = static_cast<uint16_t>(std::atoi(line.c_str() + colon + 1));
  return p;
}

void stop_upstream(upstream_process& p) {
  if (p.pid <= 0)
    return;
  kill(p.pid, SIGTERM);
  int status = 0;
  waitpid(p.pid, &status, 0);
  p.pid = -1;
}

child_outcome run_child(const std::string& path, const std::vector<std::string>& args) {
  child_outcome c;
  int out = -1;
  auto pid = spawn_piped(path, args, false, out);
  if (pid < 0)
    return c;
  char buf[4096];
  for (ssize_t n; (n = read(out, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    c.output.append(buf, static_cast<size_t>(n));
  }
  close(out);
  int status = 0;
  waitpid(pid, &status, 0);
  c.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return c;
}

} // namespace et::bench::scale
