#pragma once
/// The et binary as a child process for the end-to-end suites: started with
/// posix_spawn, its stdout and stderr going to files the test can read while
/// it runs, and waited for with a deadline (never a fixed sleep).

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "check_saying.hpp"

extern char** environ;

namespace et::e2e {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// The et binary this build made.
inline const std::string et_binary = std::string{ET_BINARY_DIR} + "/bin/et";

/// Everything in `file` ("" when it does not exist yet).
inline std::string read_file(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Calls `done` every 10 ms until it returns true or `limit` passes; returns its last answer.
inline bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done())
      return true;
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(10ms);
  }
}

namespace detail {

/// The children not reaped yet. A test that dies (an exception out of a test, a crash) runs no
/// destructor, and its `et serve` children would run on for good: the signal the death raises
/// kills them first.
inline std::atomic<pid_t> live_children[64];

inline void kill_children_then_die(int sig) {
  for (auto& p : live_children)
    if (pid_t pid = p.load(); pid > 0)
      ::kill(pid, SIGKILL);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

/// Remembers `pid` (once the guard is in place: abort and crash signals kill every child).
inline void track(pid_t pid) {
  static const bool guarded = [] {
    for (int sig : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
      ::signal(sig, kill_children_then_die);
    return true;
  }();
  (void)guarded;
  for (auto& p : live_children)
    if (pid_t none = 0; p.compare_exchange_strong(none, pid))
      return;
}

/// Forgets `pid` once reaped (its number may then be another process's).
inline void untrack(pid_t pid) {
  for (auto& p : live_children)
    if (pid_t mine = pid; p.compare_exchange_strong(mine, 0))
      return;
}

} // namespace detail

/// A running child; killed (SIGKILL) and reaped on destruction if still running, and killed
/// when the test process dies of a crash or an abort.
class child {
public:
  /// Runs `et args...` with stdin from /dev/null and stdout/stderr into `dir`/NAME.out|err.
  child(const fs::path& dir, const std::string& name, const std::vector<std::string>& args)
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    std::vector<std::string> argv{et_binary};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> ptrs;
    for (auto& a : argv)
      ptrs.push_back(a.data());
    ptrs.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // The child starts with default signal handling even if the test runner ignores SIGINT.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    if (posix_spawn(&pid_, et_binary.c_str(), &actions, &attr, ptrs.data(), environ) != 0)
      pid_ = -1;
    else
      detail::track(pid_);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }

  ~child() {
    if (pid_ > 0 && !code_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      detail::untrack(pid_);
    }
  }

  child(const child&) = delete;
  child& operator=(const child&) = delete;

  /// True when the child was started.
  bool started() const { return pid_ > 0; }

  /// Its process id (-1 when it did not start).
  pid_t pid() const { return pid_; }

  /// Sends `sig` to the child.
  void signal(int sig) const { ::kill(pid_, sig); }

  /// The exit code once it ended (128 + N when killed by signal N), else nullopt.
  std::optional<int> poll() {
    if (code_ || pid_ <= 0)
      return code_;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      detail::untrack(pid_);
    }
    return code_;
  }

  /// Waits up to `limit` for the exit code; -1 when it is still running then.
  int wait(std::chrono::milliseconds limit = 15s) {
    poll_until([this] { return poll().has_value(); }, limit);
    return code_.value_or(-1);
  }

  /// What it wrote to stdout so far.
  std::string out() const { return read_file(out_); }
  /// What it wrote to stderr so far.
  std::string err() const { return read_file(err_); }

private:
  fs::path out_;
  fs::path err_;
  pid_t pid_ = -1;
  std::optional<int> code_;
};

/// Runs `et args...` to the end (at most `limit`): exit code, stdout, stderr.
struct finished {
  int code = -1;
  std::string out;
  std::string err;
};

inline finished run_et(const fs::path& dir, const std::vector<std::string>& args,
                       std::chrono::milliseconds limit = 15s) {
  child c{dir, "et-run", args};
  int code = c.wait(limit);
  return {code, c.out(), c.err()};
}

} // namespace et::e2e
