#include "et/workspace/command.hpp"

#include "et/workspace/detail/reaper.hpp"

#include <cerrno>
#include <csignal>
#include <optional>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace et::workspace {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How often the loop wakes at the latest to look at the timeout and the cancel flag.
constexpr milliseconds poll_interval{100};
// How long a group that got SIGTERM may take before it gets SIGKILL.
constexpr milliseconds kill_grace{2000};
// How long to wait for the pipe to close after the command ended and its group was killed:
// only a process that left the group (setsid) could hold it open longer.
constexpr milliseconds drain_grace{500};

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

failure io_failure(std::string what, int err) {
  return make_failure(errc::io_error, std::move(what) + ": " + errno_text(err));
}

// Keeps the last `max` bytes of everything appended.
class tail_buffer {
public:
  explicit tail_buffer(size_t max) : max_(max) {}

  void append(const char* data, size_t n) {
    total_ += n;
    data_.append(data, n);
    // Trim in batches so a chatty command costs amortised constant time per byte.
    if (data_.size() > 2 * max_ + 4096)
      data_.erase(0, data_.size() - max_);
  }

  bool truncated() const { return total_ > max_; }

  std::string take() {
    if (data_.size() > max_)
      data_.erase(0, data_.size() - max_);
    return std::move(data_);
  }

private:
  size_t max_;
  size_t total_ = 0;
  std::string data_;
};

// An empty dir means the current one; anything else must exist before we try to start.
result<void> check_dir(const fs::path& dir) {
  if (dir.empty())
    return {};
  std::error_code ec;
  if (!fs::exists(dir, ec))
    return make_failure(errc::io_error, "no such directory: " + dir.string());
  if (!fs::is_directory(dir, ec))
    return make_failure(errc::io_error, "not a directory: " + dir.string());
  return {};
}

// A pipe: the one both output streams go to, or the one a failed exec reports through. Both
// ends are close-on-exec so that no other child spawned concurrently by another thread
// inherits them (which would keep the pipe open).
struct output_pipe {
  int read = -1;
  int write = -1;
};

// Moves a descriptor above 2: when this process runs with stdin, stdout or stderr closed, a
// new pipe can land there and the child's dup2 onto 1 and 2 would then go wrong.
int above_stdio(int fd) {
  if (fd > 2)
    return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

// A close-on-exec pipe (with `flags` besides) whose ends are both above 2: a command's
// process dup2s onto 0, 1 and 2, which must not close one of them.
result<output_pipe> pipe_above_stdio(int flags) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | flags) != 0)
    return io_failure("cannot create a pipe", errno);
  fds[0] = above_stdio(fds[0]);
  fds[1] = above_stdio(fds[1]);
  if (fds[0] < 0 || fds[1] < 0) {
    auto err = errno;
    for (int fd : fds)
      if (fd >= 0)
        ::close(fd);
    return io_failure("cannot create a pipe", err);
  }
  return output_pipe{fds[0], fds[1]};
}

result<output_pipe> make_pipe() {
  auto p = pipe_above_stdio(O_NONBLOCK);
  if (!p)
    return p;
  // Only the read end is non-blocking: the command's writes must block when the pipe is full.
  ::fcntl(p->write, F_SETFL, ::fcntl(p->write, F_GETFL) & ~O_NONBLOCK);
  return p;
}

// What the command's process does between fork and exec, all of it prepared before the fork:
// another thread may hold malloc's lock there, so the child makes system calls only. Its own
// process group (one kill reaches everything it starts), default dispositions and no blocked
// signals (an ignored SIGPIPE or SIGINT here must not leak into it), stdin from /dev/null,
// stdout and stderr into the pipe, its limits, every other descriptor closed. Returns only on
// failure, with the errno.
struct child_plan {
  std::vector<char*> argv;
  char* const* envp = nullptr;
  const char* dir = nullptr; // null: stay
  int out = -1;              // the pipe's write end
  int report = -1;           // close-on-exec: the errno of a failure goes back through it
  const std::vector<rlimit_setting>* limits = nullptr;
};

int become_command(child_plan& c) noexcept {
  if (::setpgid(0, 0) != 0)
    return errno;
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP)
      ::sigaction(sig, &dfl, nullptr); // fails harmlessly for the numbers glibc keeps
  int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(c.out, 1) < 0 || ::dup2(c.out, 2) < 0)
    return errno;
  if (c.dir != nullptr && ::chdir(c.dir) != 0)
    return errno;
  for (const auto& l : *c.limits) {
    rlimit bound{static_cast<rlim_t>(l.value), static_cast<rlim_t>(l.value)};
    if (::setrlimit(l.resource, &bound) != 0)
      return errno;
  }
  // Descriptors someone else opened without O_CLOEXEC must not reach the command: all above
  // 2 go but the report pipe, moved to 3 (and closed by the exec).
  if (::dup2(c.report, 3) < 0 || ::fcntl(3, F_SETFD, FD_CLOEXEC) != 0)
    return errno;
  c.report = 3;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
  ::closefrom(4);
#else
  for (int fd = 4; fd < 65536; ++fd)
    ::close(fd);
#endif
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(c.argv.front(), c.argv.data(), c.envp);
  return errno;
}

// Forks the command's process (blocking every signal across the fork, so no handler of ours
// runs in the child) and waits for its exec or its failure.
result<pid_t> start_child(child_plan& c) {
  auto made = pipe_above_stdio(0);
  if (!made)
    return made.error();
  int report[2] = {made->read, made->write};
  c.report = report[1];
  sigset_t all;
  sigset_t before;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  pid_t pid = ::fork();
  if (pid == 0) {
    int err = become_command(c);
    [[maybe_unused]] auto n = ::write(c.report, &err, sizeof err);
    ::_exit(127);
  }
  int fork_err = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  ::close(report[1]);
  if (pid < 0) {
    ::close(report[0]);
    return io_failure("cannot start " + std::string{c.argv.front()}, fork_err);
  }
  ::setpgid(pid, pid); // also here: the group exists before anyone signals it
  int child_err = 0;
  ssize_t n;
  do
    n = ::read(report[0], &child_err, sizeof child_err);
  while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n != static_cast<ssize_t>(sizeof child_err))
    return pid; // the pipe closed at exec: the command runs
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  return io_failure("cannot start " + std::string{c.argv.front()}
                        + (c.dir ? std::string{" in "} + c.dir : std::string{}),
                    child_err);
}

result<pid_t> spawn_shell(const command_spec& spec, output_pipe p) {
  auto limits =
      rlimits_for(spec.limits, spec.limits.processes ? tasks_of_user(::getuid()) : uint64_t{0});
  std::vector<std::string> words = spec.wrapper;
  for (const char* w : {"/bin/sh", "-c"})
    words.emplace_back(w);
  words.push_back(spec.command);
  std::vector<std::string> vars = spec.env.value_or(std::vector<std::string>{});
  std::vector<char*> envp;
  for (auto& v : vars)
    envp.push_back(v.data());
  envp.push_back(nullptr);
  child_plan c;
  for (auto& w : words)
    c.argv.push_back(w.data());
  c.argv.push_back(nullptr);
  c.envp = spec.env ? envp.data() : environ;
  c.dir = spec.dir.empty() ? nullptr : spec.dir.c_str();
  c.out = p.write;
  c.limits = &limits;
  return start_child(c);
}

// Runs the loop for one started command; the child stays unreaped until the very end, so its
// pid (which is the group id) cannot be reused while we send signals to the group.
class runner {
public:
  runner(const command_spec& spec, detail::orphan_guard& orphans, const std::atomic<bool>* cancel,
         pid_t pid, int fd, clock_type::time_point start)
      : spec_(spec), orphans_(orphans), cancel_(cancel), pid_(pid), fd_(fd), start_(start),
        buf_(spec.max_output) {
    // A pidfd (Linux 5.3+, always close-on-exec) wakes the loop the moment the shell exits;
    // without one the loop notices within one poll interval.
#ifdef SYS_pidfd_open
    exit_fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
#endif
  }

  runner(const runner&) = delete;
  runner& operator=(const runner&) = delete;

  ~runner() {
    for (int fd : {fd_, exit_fd_})
      if (fd >= 0)
        ::close(fd);
  }

  command_outcome run() {
    while (!leader_exited()) {
      wait_for_output(next_wait(), true);
      check_stop();
    }
    // Background jobs it left must not outlive it nor keep the pipe open, not even those
    // that left its group.
    ::kill(-pid_, SIGKILL);
    orphans_.sweep_if_alone(pid_);
    drain_until_closed();
    return finish(reap());
  }

private:
  milliseconds next_wait() const {
    auto now = clock_type::now();
    auto wait = poll_interval;
    if (term_sent_)
      wait = std::min(wait, remaining(*term_sent_ + kill_grace, now));
    else if (spec_.timeout.count() > 0)
      wait = std::min(wait, remaining(start_ + spec_.timeout, now));
    return wait;
  }

  static milliseconds remaining(clock_type::time_point until, clock_type::time_point now) {
    auto left = std::chrono::ceil<milliseconds>(until - now);
    return std::max(left, milliseconds{0});
  }

  // Sleeps until output arrives, the shell exits (when `watch_exit`) or `wait` passes, then
  // reads what is there.
  void wait_for_output(milliseconds wait, bool watch_exit) {
    pollfd fds[2];
    nfds_t n = 0;
    if (fd_ >= 0)
      fds[n++] = {fd_, POLLIN, 0};
    if (watch_exit && exit_fd_ >= 0)
      fds[n++] = {exit_fd_, POLLIN, 0};
    if (::poll(fds, n, static_cast<int>(wait.count())) > 0 && fd_ >= 0 && fds[0].revents != 0)
      drain();
  }

  // Reads what is available; a bounded amount per call so a flood of output cannot keep the
  // loop from checking the timeout.
  void drain() {
    char chunk[16 * 1024];
    for (int i = 0; i < 64 && fd_ >= 0; ++i) {
      auto n = ::read(fd_, chunk, sizeof chunk);
      if (n > 0) {
        buf_.append(chunk, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fd_);
        fd_ = -1;
      } else if (errno == EAGAIN) {
        return;
      }
    }
  }

  void drain_until_closed() {
    auto until = clock_type::now() + drain_grace;
    while (fd_ >= 0 && clock_type::now() < until)
      wait_for_output(std::min(poll_interval, remaining(until, clock_type::now())), false);
  }

  void check_stop() {
    auto now = clock_type::now();
    if (term_sent_) {
      if (!kill_sent_ && now >= *term_sent_ + kill_grace) {
        ::kill(-pid_, SIGKILL);
        kill_sent_ = true;
      }
      return;
    }
    if (spec_.timeout.count() > 0 && now >= start_ + spec_.timeout)
      timed_out_ = true;
    else if (cancel_ && cancel_->load())
      cancelled_ = true;
    if (timed_out_ || cancelled_) {
      ::kill(-pid_, SIGTERM);
      term_sent_ = now;
    }
  }

  // Whether the shell ended, without reaping it (WNOWAIT) so its pid stays reserved.
  bool leader_exited() const {
    siginfo_t info{};
    int rc;
    do
      rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    while (rc != 0 && errno == EINTR);
    // ECHILD: someone else reaped it (SIGCHLD ignored by the application); it is gone.
    return rc != 0 || info.si_pid == pid_;
  }

  std::optional<int> reap() const {
    int status = 0;
    pid_t rc;
    do
      rc = ::waitpid(pid_, &status, 0);
    while (rc < 0 && errno == EINTR);
    if (rc != pid_)
      return std::nullopt;
    return status;
  }

  command_outcome finish(std::optional<int> status) {
    command_outcome out;
    if (status && WIFEXITED(*status))
      out.exit_code = WEXITSTATUS(*status);
    else if (status && WIFSIGNALED(*status))
      out.signal = WTERMSIG(*status);
    out.timed_out = timed_out_;
    out.cancelled = cancelled_;
    out.truncated = buf_.truncated();
    out.output = buf_.take();
    out.elapsed = std::chrono::duration_cast<milliseconds>(clock_type::now() - start_);
    return out;
  }

  const command_spec& spec_;
  detail::orphan_guard& orphans_;
  const std::atomic<bool>* cancel_;
  pid_t pid_;
  int fd_;
  int exit_fd_ = -1;
  clock_type::time_point start_;
  tail_buffer buf_;
  std::optional<clock_type::time_point> term_sent_;
  bool kill_sent_ = false;
  bool timed_out_ = false;
  bool cancelled_ = false;
};

} // namespace

result<command_outcome> run_command(const command_spec& spec, const std::atomic<bool>* cancel) {
  if (auto ok = check_dir(spec.dir); !ok)
    return ok.error();
  auto pipe = make_pipe();
  if (!pipe)
    return pipe.error();
  // Before the spawn: whatever the command orphans from its first instant must become ours.
  detail::orphan_guard orphans;
  auto start = clock_type::now();
  auto pid = spawn_shell(spec, *pipe);
  // The parent's copy of the write end must go, or the pipe would never report end of file.
  ::close(pipe->write);
  if (!pid) {
    ::close(pipe->read);
    return pid.error();
  }
  runner r{spec, orphans, cancel, *pid, pipe->read, start};
  return r.run();
}

} // namespace et::workspace
