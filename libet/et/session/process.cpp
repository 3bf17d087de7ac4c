#include "et/session/process.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

#include "et/util/text.hpp"

extern char** environ;

namespace et::session {

namespace {

failure os_error(const std::string& what, int code) {
  return make_failure(errc::io_error, what + ": " + std::strerror(code));
}

// A pipe whose ends are closed in children unless dup'ed into place, so a
// daemon a child starts (the tmux server) never holds our read ends open.
struct pipe_pair {
  int fd[2] = {-1, -1};
  bool open() { return ::pipe2(fd, O_CLOEXEC) == 0; }
  void close_end(int i) {
    if (fd[i] >= 0)
      ::close(fd[i]);
    fd[i] = -1;
  }
  ~pipe_pair() {
    close_end(0);
    close_end(1);
  }
};

// The child's environment: ours, with `extra` added or replaced.
std::vector<std::string> environment_with(const env_vars& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string entry{*e};
    auto name = entry.substr(0, entry.find('='));
    if (!extra.contains(name))
      out.push_back(std::move(entry));
  }
  for (const auto& [k, v] : extra)
    out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

void close_fd(int& fd) {
  if (fd >= 0)
    ::close(fd);
  fd = -1;
}

// Appends `bytes` to `kept`, of which the last `max` bytes stay; `dropped` counts the rest.
// The front is cut once it is as long again as what stays, so each byte moves once at most.
void keep_tail(std::string& kept, size_t& dropped, std::string_view bytes, size_t max) {
  kept.append(bytes);
  if (kept.size() > max && kept.size() - max > max) { // no 2 * max: it may wrap
    dropped += kept.size() - max;
    kept.erase(0, kept.size() - max);
  }
}

// The end of the pump: exactly the last `max` bytes stay, without the room the cuts left.
void trim_to(std::string& kept, size_t& dropped, size_t max) {
  if (kept.size() > max) {
    dropped += kept.size() - max;
    kept.erase(0, kept.size() - max);
  }
  kept.shrink_to_fit();
}

// Reads stdout and stderr and feeds stdin until both outputs are closed; false when
// `deadline` came first (none: time_point::max()).
bool pump(int in_fd, int out_fd, int err_fd, const std::string& input, size_t max,
          process_result& r, std::chrono::steady_clock::time_point deadline) {
  size_t written = 0;
  bool in_time = true;
  if (input.empty())
    close_fd(in_fd);
  else // a large input must not block us while the child waits for us to read
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  char buf[8192];
  while (out_fd >= 0 || err_fd >= 0) {
    pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
    int wait_ms = -1;
    if (deadline != std::chrono::steady_clock::time_point::max()) {
      auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        in_time = false;
        break;
      }
      wait_ms = static_cast<int>(std::min<int64_t>(left.count(), 60'000));
    }
    if (::poll(fds, 3, wait_ms) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? out_fd : err_fd;
      if (fd < 0 || fds[i].revents == 0)
        continue;
      auto n = ::read(fd, buf, sizeof buf);
      if (n > 0)
        keep_tail(i == 0 ? r.out : r.err, i == 0 ? r.out_dropped : r.err_dropped,
                  {buf, static_cast<size_t>(n)}, max);
      else if (n == 0 || errno != EINTR)
        close_fd(fd);
    }
    if (in_fd >= 0 && fds[2].revents != 0) {
      auto n = ::write(in_fd, input.data() + written, input.size() - written);
      if (n > 0)
        written += static_cast<size_t>(n);
      if ((n < 0 && errno != EINTR && errno != EAGAIN) || written == input.size())
        close_fd(in_fd); // done, or the child stopped reading
    }
  }
  close_fd(in_fd);
  close_fd(out_fd);
  close_fd(err_fd);
  trim_to(r.out, r.out_dropped, max);
  trim_to(r.err, r.err_dropped, max);
  return in_time;
}

int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return exit_code_of(status);
}

// Waits for `pid` until `deadline`; its exit code, or nullopt when the deadline came first
// (it still runs). A child may close its outputs and go on: the pump's end is not its end.
std::optional<int> wait_until(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  for (int status = 0;;) {
    auto done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid)
      return exit_code_of(status);
    if (done < 0 && errno != EINTR)
      return -1;
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    ::usleep(2000);
  }
}

// A child that stops reading its input must not kill us with SIGPIPE: block
// it for this thread while we write, and drop one that became pending.
struct sigpipe_blocked {
  sigset_t set{}, old{};
  sigpipe_blocked() {
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &old);
  }
  ~sigpipe_blocked() {
    timespec zero{0, 0};
    while (sigtimedwait(&set, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
};

} // namespace

result<process_result> run_process(const std::vector<std::string>& argv, const env_vars& env,
                                   const std::string& input, size_t max_output,
                                   std::chrono::milliseconds limit) {
  if (argv.empty())
    return make_failure(errc::invalid_input, "no program to run");
  pipe_pair in, out, err;
  if (!in.open() || !out.open() || !err.open())
    return os_error("cannot create a pipe", errno);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  auto args = argv;
  auto vars = environment_with(env);
  auto arg_ptrs = pointers(args);
  auto env_ptrs = pointers(vars);
  // Under a limit the child leads a process group of its own, so that a stop takes whatever
  // it started too (a wrapper script around tmux).
  posix_spawnattr_t attrs;
  posix_spawnattr_init(&attrs);
  if (limit.count() > 0) {
    posix_spawnattr_setflags(&attrs, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attrs, 0);
  }
  sigpipe_blocked guard;
  pid_t pid = 0;
  int rc =
      ::posix_spawnp(&pid, argv[0].c_str(), &actions, &attrs, arg_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attrs);
  if (rc != 0)
    return os_error("cannot run " + argv[0], rc);
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);
  process_result r;
  auto deadline = limit.count() > 0 ? std::chrono::steady_clock::now() + limit
                                    : std::chrono::steady_clock::time_point::max();
  bool in_time = pump(std::exchange(in.fd[1], -1), std::exchange(out.fd[0], -1),
                      std::exchange(err.fd[0], -1), input, max_output, r, deadline);
  std::optional<int> code;
  if (limit.count() == 0)
    code = wait_for(pid);
  else if (in_time)
    code = wait_until(pid, deadline);
  in_time = code.has_value();
  if (!in_time) {
    ::kill(-pid, SIGKILL); // its group
    code = wait_for(pid);
  }
  r.exit_code = *code;
  if (!in_time)
    return make_failure(errc::timeout, argv[0] + " did not finish within " + format_elapsed(limit)
                                           + "; it was stopped");
  return r;
}

process_runner system_runner() {
  return [](const std::vector<std::string>& argv) {
    return run_process(argv, {}, {}, default_max_output, runner_limit);
  };
}

std::optional<std::filesystem::path> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos)
      end = dirs.size();
    std::filesystem::path candidate =
        std::filesystem::path{end > start ? dirs.substr(start, end - start) : "."} / program;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate))
      return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

result<std::filesystem::path> self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec)
    return make_failure(errc::io_error, "cannot find the running executable: " + ec.message());
  return p;
}

failure exec_replace(const std::vector<std::string>& argv) {
  if (argv.empty())
    return make_failure(errc::invalid_input, "no program to run");
  auto args = argv;
  auto ptrs = pointers(args);
  ::execvp(ptrs[0], ptrs.data());
  return os_error("cannot run " + argv[0], errno);
}

} // namespace et::session
