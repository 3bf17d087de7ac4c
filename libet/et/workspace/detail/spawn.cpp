// How a command's process is started: fork, the child's own set-up (group, signals, stdio,
// limits, descriptors), exec; and the pipes it needs, which must sit above stdio.
#include "et/workspace/detail/spawn.hpp"

#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace et::workspace::detail {

namespace {

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

failure io_failure(std::string what, int err) {
  return make_failure(errc::io_error, std::move(what) + ": " + errno_text(err));
}

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
result<pipe_ends> pipe_above_stdio(int flags) {
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
  return pipe_ends{fds[0], fds[1]};
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

} // namespace

result<pipe_ends> make_output_pipe() {
  auto p = pipe_above_stdio(O_NONBLOCK);
  if (!p)
    return p;
  // Only the read end is non-blocking: the command's writes must block when the pipe is full.
  ::fcntl(p->write, F_SETFL, ::fcntl(p->write, F_GETFL) & ~O_NONBLOCK);
  return p;
}

result<pid_t> spawn_shell(const command_spec& spec, int out) {
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
  c.out = out;
  c.limits = &limits;
  return start_child(c);
}

} // namespace et::workspace::detail
