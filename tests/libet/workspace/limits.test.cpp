#define CAF_SUITE libet.workspace.limits
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "et/workspace/command.hpp"
#include "et/workspace/limits.hpp"
#include "temp_dir.hpp"

using namespace et;
using namespace et::workspace;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t mib = 1024 * 1024;

bool has(const std::vector<rlimit_setting>& set, rlimit_setting one) {
  return std::find(set.begin(), set.end(), one) != set.end();
}

// Whether this process may not write files of `bytes` (then the bound is its own).
bool fs_hard_below(uint64_t bytes) {
  rlimit now{};
  return ::getrlimit(RLIMIT_FSIZE, &now) == 0 && now.rlim_max != RLIM_INFINITY
         && now.rlim_max < bytes;
}

struct fixture {
  et::test::scratch_dir scratch{"limits"};
  fs::path dir = fs::canonical(scratch.dir);

  command_outcome run(const std::string& line, command_limits limits) {
    command_spec spec{line, dir, 10s};
    spec.limits = limits;
    auto r = run_command(spec);
    if (!r)
      CAF_FAIL("run_command failed: " << r.error().message);
    return std::move(r).value();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(limits_tests, fixture)

CAF_TEST(no limits asked means no setrlimit) {
  CAF_CHECK(rlimits_for({}, 12).empty());
}

CAF_TEST(each limit asked is a setrlimit and the processes count from the user s own) {
  auto set = rlimits_for({100, mib, 1024 * mib, true}, 7);
  rlimit nproc{};
  CAF_REQUIRE(::getrlimit(RLIMIT_NPROC, &nproc) == 0);
  uint64_t processes =
      nproc.rlim_max == RLIM_INFINITY ? 107 : std::min<uint64_t>(107, nproc.rlim_max);
  CAF_CHECK(has(set, {RLIMIT_NPROC, processes}));
  CAF_CHECK(has(set, {RLIMIT_FSIZE, mib}) || fs_hard_below(mib));
  CAF_CHECK(has(set, {RLIMIT_CORE, 0}));
  CAF_CHECK_EQUAL(set.size(), 4u);
  // Without a count of the user's tasks, no process bound: it could be below what runs.
  auto unknown = rlimits_for({100, 0, 0, false}, 0);
  CAF_CHECK(unknown.empty());
}

CAF_TEST(a limit above the hard limit et runs under is brought down to it) {
  // In a child: a hard limit, once lowered, cannot be raised again.
  pid_t pid = ::fork();
  CAF_REQUIRE(pid >= 0);
  if (pid == 0) {
    rlimit low{mib, mib};
    if (::setrlimit(RLIMIT_FSIZE, &low) != 0)
      ::_exit(2);
    auto set = rlimits_for({0, 4096 * mib, 0, false}, 0);
    ::_exit(has(set, {RLIMIT_FSIZE, mib}) ? 0 : 1);
  }
  int status = 0;
  CAF_REQUIRE_EQUAL(::waitpid(pid, &status, 0), pid);
  CAF_CHECK(WIFEXITED(status));
  CAF_CHECK_EQUAL(WEXITSTATUS(status), 0);
}

CAF_TEST(a command cannot write a file past its file limit) {
  auto line = "head -c 3000000 /dev/zero > big";
  auto bounded = run(line, {0, mib, 0, false});
  CAF_CHECK(!bounded.passed());
  CAF_CHECK_LESS_OR_EQUAL(fs::file_size(dir / "big"), mib);
  auto unbounded = run(line, {});
  CAF_CHECK(unbounded.passed());
  CAF_CHECK_EQUAL(fs::file_size(dir / "big"), 3000000u);
}

CAF_TEST(a command runs without core dumps and within a process bound it cannot raise) {
  // /proc's words, not the shell's: dash and bash name the process limit differently.
  auto r = run("awk '/^Max core file size/ {print $5, $6} /^Max processes/ {print $3, $4}' "
               "/proc/self/limits",
               {50, 0, 0, true});
  CAF_REQUIRE(r.passed());
  std::istringstream lines{r.output};
  std::string core_soft, core_hard, soft, hard;
  lines >> core_soft >> core_hard >> soft >> hard;
  CAF_CHECK_EQUAL(core_soft, "0");
  CAF_CHECK_EQUAL(core_hard, "0");
  CAF_CHECK_EQUAL(soft, hard); // soft and hard alike: the command cannot raise it
  CAF_REQUIRE_NOT_EQUAL(soft, "unlimited");
  CAF_CHECK_GREATER_OR_EQUAL(std::stoull(soft), 50u);
}

CAF_TEST(a command whose limits leave no room to start does not pass) {
  // An address space too small for the shell itself: its exec fails, or it dies at once.
  command_spec spec{"true", dir, 10s};
  spec.limits = {0, 0, 4096, false};
  auto r = run_command(spec);
  if (r)
    CAF_CHECK(!r->passed());
  else
    CAF_CHECK(r.error().message.find("cannot start /bin/sh") != std::string::npos);
}

CAF_TEST(a program that cannot be run is a failure to start naming it and why) {
  command_spec spec{"true", dir, 10s};
  spec.wrapper = {"/nonexistent/bwrap"};
  auto r = run_command(spec);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().message, "cannot start /nonexistent/bwrap in " + dir.string()
                                         + ": No such file or directory");
}

CAF_TEST(a program that cannot be run is a failure to start even with stdio closed) {
  // In a child without stdin, stdout and stderr: new pipes land on 0, 1 and 2 there.
  pid_t pid = ::fork();
  CAF_REQUIRE(pid >= 0);
  if (pid == 0) {
    for (int fd : {0, 1, 2})
      ::close(fd);
    command_spec spec{"true", dir, 10s};
    spec.wrapper = {"/nonexistent/bwrap"};
    auto r = run_command(spec);
    ::_exit(!r && r.error().message.find("cannot start") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  CAF_REQUIRE_EQUAL(::waitpid(pid, &status, 0), pid);
  CAF_CHECK(WIFEXITED(status));
  CAF_CHECK_EQUAL(WEXITSTATUS(status), 0);
}

CAF_TEST(the tasks of a user include this process s) {
  CAF_CHECK_GREATER_OR_EQUAL(tasks_of_user(::getuid()), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
