#define CAF_SUITE libet.workspace.command
#include "caf/test/unit_test.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "et/workspace/command.hpp"
#include "temp_dir.hpp"

using namespace et;
using namespace et::workspace;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A fresh folder per test to run commands in.
struct fixture {
  et::test::scratch_dir scratch{"command"};
  fs::path dir = fs::canonical(scratch.dir);

  command_outcome run(const std::string& line, std::chrono::milliseconds timeout = 0ms,
                      size_t max_output = 64 * 1024, const std::atomic<bool>* cancel = nullptr) {
    auto r = run_command({line, dir, timeout, max_output}, cancel);
    if (!r)
      CAF_FAIL("run_command failed: " << r.error().message);
    return std::move(r).value();
  }
};

// Whether /proc shows `pid` as gone or as a zombie waiting for init to reap it.
bool gone_in_proc(const std::string& pid) {
  std::ifstream stat{"/proc/" + pid + "/stat"};
  std::string line;
  if (!std::getline(stat, line))
    return true;
  auto state = line.substr(line.rfind(')') + 2, 1);
  return state == "Z" || state == "X";
}

// Whether the process `pid` ends within two seconds. A process killed by SIGKILL closes its
// files (so the pipe reports end of file) a moment before it is marked as exited, so the test
// waits for the exit itself through a pidfd instead of looking once.
bool process_ends(const std::string& pid) {
#ifdef SYS_pidfd_open
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, std::stoi(pid), 0));
#else
  int fd = -1;
  errno = ENOSYS;
#endif
  if (fd < 0 && errno == ENOSYS) {
    // Old kernels and valgrind have no pidfd: look at /proc until it is gone.
    for (int i = 0; i < 2000 && !gone_in_proc(pid); ++i)
      std::this_thread::sleep_for(1ms);
    return gone_in_proc(pid);
  }
  if (fd < 0)
    return errno == ESRCH;
  pollfd p{fd, POLLIN, 0};
  int n = ::poll(&p, 1, 2000);
  ::close(fd);
  return n == 1;
}

// The first line of `s`.
std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

size_t open_fd_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(workspace_command, fixture)

CAF_TEST(a passing command reports exit code zero and its output) {
  auto out = run("echo hello");
  CAF_CHECK_EQUAL(out.exit_code, 0);
  CAF_CHECK_EQUAL(out.output, "hello\n");
  CAF_CHECK(out.passed());
  CAF_CHECK(!out.truncated && !out.timed_out && !out.cancelled);
  CAF_CHECK_EQUAL(out.signal, 0);
}

CAF_TEST(stdout and stderr are captured together in order) {
  auto out = run("echo one; echo two >&2; echo three; echo four >&2");
  CAF_CHECK_EQUAL(out.output, "one\ntwo\nthree\nfour\n");
}

CAF_TEST(a failing command reports its exit code) {
  auto out = run("echo broken >&2; exit 3");
  CAF_CHECK_EQUAL(out.exit_code, 3);
  CAF_CHECK_EQUAL(out.output, "broken\n");
  CAF_CHECK(!out.passed());
}

CAF_TEST(a command killed by a signal reports the signal) {
  auto out = run("kill -KILL $$");
  CAF_CHECK_EQUAL(out.signal, SIGKILL);
  CAF_CHECK_EQUAL(out.exit_code, -1);
  CAF_CHECK(!out.passed());
}

CAF_TEST(the command runs in the given directory with stdin from dev null) {
  CAF_CHECK_EQUAL(run("pwd").output, dir.string() + "\n");
  CAF_CHECK_EQUAL(run("readlink /proc/$$/fd/0").output, "/dev/null\n");
  // cat would wait forever on an inherited terminal or pipe.
  CAF_CHECK_EQUAL(run("cat").exit_code, 0);
}

CAF_TEST(the command runs in its own process group) {
  // Field 5 of /proc/PID/stat is the process group.
  auto out = run("cut -d ' ' -f 5 /proc/$$/stat; echo $$");
  auto pgid = first_line(out.output);
  auto pid = out.output.substr(pgid.size() + 1);
  CAF_CHECK_EQUAL(pgid + "\n", pid);
  CAF_CHECK_NOT_EQUAL(pgid, std::to_string(::getpgrp()));
}

CAF_TEST(no descriptor leaks into the command or out of the call) {
  // A descriptor opened without O_CLOEXEC by someone else in the process.
  int stray = ::open("/dev/null", O_RDONLY);
  CAF_REQUIRE(stray > 2);
  auto before = open_fd_count();
  auto out = run("ls /proc/$$/fd");
  CAF_CHECK_EQUAL(out.output, "0\n1\n2\n");
  CAF_CHECK_EQUAL(open_fd_count(), before);
  ::close(stray);
}

CAF_TEST(a timeout kills a sleeping command quickly) {
  auto out = run("echo started; sleep 30", 200ms);
  CAF_CHECK(out.timed_out);
  CAF_CHECK(!out.cancelled);
  CAF_CHECK(!out.passed());
  CAF_CHECK_EQUAL(out.output, "started\n");
  CAF_CHECK_GREATER_OR_EQUAL(out.elapsed, 200ms);
  CAF_CHECK_LESS(out.elapsed, 1500ms);
}

CAF_TEST(a timeout kills the whole group including grandchildren) {
  // The background sleep holds the pipe open: were it left alive, the call would not return.
  auto out = run("sleep 30 & echo $!; wait", 200ms);
  CAF_CHECK(out.timed_out);
  CAF_CHECK_LESS(out.elapsed, 1500ms);
  auto grandchild = first_line(out.output);
  CAF_REQUIRE(!grandchild.empty());
  CAF_CHECK(process_ends(grandchild));
}

CAF_TEST(background jobs left behind by a finished command are killed) {
  auto out = run("sleep 30 & echo $!");
  CAF_CHECK_EQUAL(out.exit_code, 0);
  CAF_CHECK_LESS(out.elapsed, 1500ms);
  CAF_CHECK(process_ends(first_line(out.output)));
}

CAF_TEST(processes that left the group with setsid are killed when the command ends) {
  // One setsid'd directly, one orphaned by a shell that exits at once (a double fork).
  auto out = run("setsid sleep 30 & echo $!; sh -c 'setsid sleep 31 & echo $!'");
  CAF_CHECK_EQUAL(out.exit_code, 0);
  auto first = first_line(out.output);
  auto second = first_line(out.output.substr(first.size() + 1));
  CAF_REQUIRE(!first.empty() && !second.empty());
  CAF_CHECK(process_ends(first));
  CAF_CHECK(process_ends(second));
}

CAF_TEST(a cancelled command takes its setsid descendants along) {
  auto fifo = dir / "started";
  CAF_REQUIRE_EQUAL(::mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<bool> cancel{false};
  std::thread canceller{[&] {
    std::ifstream in{fifo};
    std::string line;
    std::getline(in, line);
    cancel = true;
  }};
  auto out = run("setsid sleep 30 & echo $!; echo up > started; sleep 30", 0ms, 64 * 1024, &cancel);
  canceller.join();
  CAF_CHECK(out.cancelled);
  auto escaped = first_line(out.output);
  CAF_REQUIRE(!escaped.empty());
  CAF_CHECK(process_ends(escaped));
}

CAF_TEST(a given environment replaces the inherited one) {
  ::setenv("ET_COMMAND_TEST_INHERITED", "leaked", 1);
  command_spec spec{"env", dir, 0ms, 4096};
  spec.env = std::vector<std::string>{"ONLY=this"};
  auto r = run_command(spec);
  ::unsetenv("ET_COMMAND_TEST_INHERITED");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->output.find("leaked"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(r->output.find("ONLY=this"), std::string::npos);
}

CAF_TEST(a wrapper runs in front of the shell) {
  command_spec spec{"echo \"$0 $1\"", dir, 0ms, 4096};
  spec.wrapper = {"/usr/bin/env", "WRAPPED=yes"};
  auto r = run_command(spec);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->output, "/bin/sh \n");
  spec.command = "echo $WRAPPED";
  auto wrapped = run_command(spec);
  CAF_REQUIRE(wrapped);
  CAF_CHECK_EQUAL(wrapped->output, "yes\n");
}

CAF_TEST(a command that ignores the terminate signal is killed two seconds later) {
  auto out = run("trap '' TERM; sleep 30", 100ms);
  CAF_CHECK(out.timed_out);
  CAF_CHECK_EQUAL(out.signal, SIGKILL);
  CAF_CHECK_GREATER_OR_EQUAL(out.elapsed, 2100ms);
  CAF_CHECK_LESS(out.elapsed, 4000ms);
}

CAF_TEST(a cancel flag set from another thread stops the command) {
  auto fifo = dir / "started";
  CAF_REQUIRE_EQUAL(::mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<bool> cancel{false};
  // The thread sets the flag once the command is known to run: it opens the fifo for
  // reading, which blocks until the command opens it for writing.
  std::thread canceller{[&] {
    std::ifstream in{fifo};
    std::string line;
    std::getline(in, line);
    cancel = true;
  }};
  auto out = run("echo up > started; sleep 30", 0ms, 64 * 1024, &cancel);
  canceller.join();
  CAF_CHECK(out.cancelled);
  CAF_CHECK(!out.timed_out);
  CAF_CHECK(!out.passed());
  CAF_CHECK_LESS(out.elapsed, 1500ms);
}

CAF_TEST(a command within its timeout is not marked timed out) {
  auto out = run("echo quick", 10s);
  CAF_CHECK(out.passed());
  CAF_CHECK(!out.timed_out);
  CAF_CHECK_LESS(out.elapsed, 5s);
}

CAF_TEST(long output keeps the last bytes and says it was truncated) {
  auto out = run("printf 0123456789abcdefghij", 0ms, 10);
  CAF_CHECK_EQUAL(out.output, "abcdefghij");
  CAF_CHECK(out.truncated);
  auto big = run("seq 1 200000", 0ms, 14);
  CAF_CHECK_EQUAL(big.output, "199999\n200000\n");
  CAF_CHECK(big.truncated);
  CAF_CHECK_EQUAL(big.exit_code, 0);
}

CAF_TEST(output of exactly max_output bytes is not truncated) {
  auto out = run("printf 0123456789", 0ms, 10);
  CAF_CHECK_EQUAL(out.output, "0123456789");
  CAF_CHECK(!out.truncated);
}

CAF_TEST(a missing directory is a failure naming it) {
  auto missing = dir / "nope";
  auto r = run_command({"true", missing, 0ms, 1024});
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::io_error);
  CAF_CHECK_NOT_EQUAL(r.error().message.find(missing.string()), std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
