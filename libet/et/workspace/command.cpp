#include "et/workspace/command.hpp"

#include "et/workspace/detail/reaper.hpp"
#include "et/workspace/detail/spawn.hpp"

#include <cerrno>
#include <csignal>
#include <optional>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

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
  auto pipe = detail::make_output_pipe();
  if (!pipe)
    return pipe.error();
  // Before the spawn: whatever the command orphans from its first instant must become ours.
  detail::orphan_guard orphans;
  auto start = clock_type::now();
  auto pid = detail::spawn_shell(spec, pipe->write);
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
