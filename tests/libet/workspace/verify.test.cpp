#define CAF_SUITE libet.workspace.verify
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "et/workspace/command.hpp"
#include "et/workspace/verify.hpp"
#include "sandbox_test.hpp"
#include "temp_dir.hpp"

// The confinement of verify commands: a minimal environment without secrets, and the
// bubblewrap sandbox (those tests say so and pass when bwrap cannot run on this machine).

using namespace et;
using namespace et::workspace;
using et::test::sandbox_works;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string secret = "sk-verify-test-secret-0123456789";

config::env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    if (auto i = vars.find(name); i != vars.end())
      return i->second;
    return std::nullopt;
  };
}

// A user's environment: the basics, a key a provider uses, an unrelated one and a tool's.
config::env_lookup user_env() {
  return env_of({{"PATH", "/usr/bin:/bin"},
                 {"HOME", "/home/tester"},
                 {"LANG", "C.UTF-8"},
                 {"TMPDIR", "/var/tmp/tester"},
                 {"OPENAI_API_KEY", secret},
                 {"AWS_SECRET_ACCESS_KEY", "aws-not-configured"},
                 {"GOPATH", "/home/tester/go"},
                 {"WRAPPED", "Bearer " + secret}});
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A folder for the output dir (under /tmp) and one outside /tmp, which the sandbox does not
// replace by a tmpfs, so a write there would reach the real file system.
struct fixture {
  et::test::scratch_dir out_dir{"verify"};
  et::test::scratch_dir outside_dir{"verify-outside", et::test::outside_tmp()};
  fs::path out = fs::canonical(out_dir.dir);
  fs::path outside = fs::canonical(outside_dir.dir);

  command_outcome run(const std::string& line, bool sandboxed) {
    command_spec spec{line, out, 20s, 64 * 1024};
    spec.env =
        make_verify_environment({}, {secret}, env_of({{"PATH", "/usr/bin:/bin"}}), sandboxed).vars;
    if (sandboxed)
      spec.wrapper = sandbox_wrapper(probe_sandbox().bwrap, out);
    return et::test::ran(spec);
  }
};

// A TCP listener on a free loopback port.
struct listener {
  int fd = -1;
  uint16_t port = 0;

  listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd, 8) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      CAF_FAIL("cannot listen on loopback");
    port = ntohs(a.sin_port);
  }

  ~listener() { ::close(fd); }

  // A shell line that connects to it and says whether it could.
  std::string connect_line() const {
    return "bash -c 'echo hi > /dev/tcp/127.0.0.1/" + std::to_string(port)
           + "' 2>/dev/null && echo CONNECTED || echo REFUSED";
  }
};

} // namespace

CAF_TEST(the verify environment holds the basics and the listed names only) {
  auto e = make_verify_environment({"GOPATH", "NOT_SET"}, {secret}, user_env(), false);
  CAF_CHECK_EQUAL(e.vars.size(), 5u);
  CAF_CHECK(has(e.vars, "PATH=/usr/bin:/bin"));
  CAF_CHECK(has(e.vars, "HOME=/home/tester"));
  CAF_CHECK(has(e.vars, "LANG=C.UTF-8"));
  CAF_CHECK(has(e.vars, "TMPDIR=/var/tmp/tester"));
  CAF_CHECK(has(e.vars, "GOPATH=/home/tester/go"));
  CAF_CHECK(e.withheld.empty());
}

CAF_TEST(a variable holding a configured secret is withheld even when listed) {
  auto e =
      make_verify_environment({"OPENAI_API_KEY", "WRAPPED", "GOPATH"}, {secret}, user_env(), false);
  for (const auto& v : e.vars)
    CAF_CHECK_EQUAL(v.find(secret), std::string::npos);
  CAF_CHECK(has(e.withheld, "OPENAI_API_KEY"));
  CAF_CHECK(has(e.withheld, "WRAPPED"));
  CAF_CHECK(has(e.vars, "GOPATH=/home/tester/go"));
}

CAF_TEST(in the sandbox TMPDIR is its private tmp) {
  auto e = make_verify_environment({}, {}, user_env(), true);
  CAF_CHECK(has(e.vars, "TMPDIR=/tmp"));
  CAF_CHECK(!has(e.vars, "TMPDIR=/var/tmp/tester"));
}

CAF_TEST(shared output has every secret scrubbed) {
  auto text = "key=" + secret + "\nagain " + secret + "\n";
  CAF_CHECK_EQUAL(shareable_output(text, false, {secret}, 4096), "key=****\nagain ****\n");
}

CAF_TEST(shared output cut at the start keeps no part of a secret) {
  // The command's output limit kept only the secret's end, which scrubbing cannot recognise.
  auto cut = secret.substr(5) + "END\nok\n";
  auto out = shareable_output(cut, true, {secret}, 4096);
  CAF_CHECK_EQUAL(out, "...ok\n");
  CAF_CHECK_EQUAL(out.find(secret.substr(20)), std::string::npos);
  // Scrubbing comes before the cut to `max`, so a whole secret near the cut is caught.
  CAF_CHECK_EQUAL(shareable_output("x" + secret + "END", false, {secret}, 8), "x****END");
  CAF_CHECK_EQUAL(shareable_output("abcdef", false, {}, 3), "...def");
}

CAF_TEST(a probe failing where apparmor keeps user namespaces says so) {
  et::test::scratch_dir d{"userns"};
  auto flag = d.dir / "apparmor_restrict_unprivileged_userns";
  CAF_CHECK_EQUAL(userns_hint(flag), ""); // no such switch: nothing to say
  std::ofstream{flag} << "0\n";
  CAF_CHECK_EQUAL(userns_hint(flag), "");
  std::ofstream{flag} << "10\n"; // not the switch's word
  CAF_CHECK_EQUAL(userns_hint(flag), "");
  std::ofstream{flag} << std::string(1 << 20, '1'); // read two bytes, not a megabyte
  CAF_CHECK_EQUAL(userns_hint(flag), "");
  std::ofstream{flag} << "1\n";
  CAF_CHECK_NOT_EQUAL(userns_hint(flag).find("kernel.apparmor_restrict_unprivileged_userns=0"),
                      std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE(verify_confinement, fixture)

CAF_TEST(a command given an environment sees only that one) {
  ::setenv("ET_VERIFY_TEST_LEAK", secret.c_str(), 1);
  auto r = run("env", false);
  ::unsetenv("ET_VERIFY_TEST_LEAK");
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.output.find(secret), std::string::npos);
  CAF_CHECK_NOT_EQUAL(r.output.find("PATH=/usr/bin:/bin"), std::string::npos);
}

CAF_TEST(the sandbox lets a command write its output dir and nothing else) {
  if (!sandbox_works())
    return;
  // Control: without the sandbox the same write succeeds, so the test can fail.
  auto free_run = run("echo x > " + (outside / "free").string(), false);
  CAF_CHECK_EQUAL(free_run.exit_code, 0);
  CAF_CHECK(fs::exists(outside / "free"));
  auto jailed = run("echo x > " + (outside / "jailed").string() + " && echo WROTE", true);
  CAF_CHECK_NOT_EQUAL(jailed.exit_code, 0);
  CAF_CHECK_EQUAL(jailed.output.find("WROTE"), std::string::npos);
  CAF_CHECK(!fs::exists(outside / "jailed"));
  auto inside = run("echo made > result.txt && echo scratch > /tmp/scratch", true);
  CAF_CHECK_EQUAL(inside.exit_code, 0);
  CAF_CHECK(fs::exists(out / "result.txt"));
}

CAF_TEST(the sandbox has no network not even loopback) {
  if (!sandbox_works())
    return;
  listener l;
  CAF_CHECK_EQUAL(run(l.connect_line(), false).output, "CONNECTED\n");
  CAF_CHECK_EQUAL(run(l.connect_line(), true).output, "REFUSED\n");
}

CAF_TEST(the sandbox gives the command its own process ids and no capabilities) {
  if (!sandbox_works())
    return;
  // In its own PID namespace the shell is a low number (bwrap's init is 1), not one of ours.
  auto r = run("echo $$; grep CapEff /proc/self/status", true);
  CAF_CHECK_EQUAL(r.exit_code, 0);
  auto pid = std::stoi(r.output.substr(0, r.output.find('\n')));
  CAF_CHECK_LESS(pid, 10);
  CAF_CHECK_NOT_EQUAL(r.output.find("CapEff:\t0000000000000000"), std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
