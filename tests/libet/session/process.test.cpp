#define CAF_SUITE libet.session.process
#include "caf/test/unit_test.hpp"

#include <cstdint>

#include "et/session/process.hpp"

using namespace et;
using namespace et::session;

CAF_TEST(output and errors and the exit status are captured) {
  auto r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->out, "out\n");
  CAF_CHECK_EQUAL(r->err, "err\n");
  CAF_CHECK_EQUAL(r->exit_code, 3);
}

CAF_TEST(arguments reach the program untouched by any shell) {
  auto r = run_process({"printf", "%s|", "$(echo no)", "a;b", "*"});
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->out, "$(echo no)|a;b|*|");
}

CAF_TEST(input is fed to stdin and extra environment is added) {
  auto r = run_process({"sh", "-c", "cat; echo \"$ET_PROBE\""}, {{"ET_PROBE", "set"}}, "line\n");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->out, "line\nset\n");
}

CAF_TEST(a large input does not deadlock against a large output) {
  std::string big(1 << 20, 'x');
  auto r = run_process({"cat"}, {}, big);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->out.size(), big.size());
}

CAF_TEST(only the last bytes of a long output are kept and the rest is counted) {
  auto r = run_process(
      {"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; printf END; printf e%.0s 1 2 3 >&2"}, {},
      {}, 1000);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->out.size(), 1000u);
  CAF_CHECK_EQUAL(r->out.substr(995), "aaEND");
  CAF_CHECK_EQUAL(r->out_dropped, 100003u - 1000u);
  CAF_CHECK_EQUAL(r->err, "eee");
  CAF_CHECK_EQUAL(r->err_dropped, 0u);
  // A bound so large that twice it wraps keeps everything.
  auto all = run_process({"printf", "kept"}, {}, {}, SIZE_MAX / 2 + 1);
  CAF_REQUIRE(all);
  CAF_CHECK_EQUAL(all->out, "kept");
  CAF_CHECK_EQUAL(all->out_dropped, 0u);
}

CAF_TEST(a child that ignores its input does not kill us) {
  auto r = run_process({"true"}, {}, std::string(1 << 20, 'x'));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->exit_code, 0);
}

CAF_TEST(a missing program is a failure naming it) {
  auto r = run_process({"et-no-such-program-xyz"});
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().message.find("et-no-such-program-xyz") != std::string::npos);
}

CAF_TEST(programs are found on the path and we know our own path) {
  CAF_CHECK(find_on_path("sh"));
  CAF_CHECK(!find_on_path("et-no-such-program-xyz"));
  auto self = self_executable();
  CAF_REQUIRE(self);
  CAF_CHECK(self->is_absolute());
}

CAF_TEST(a program past its time limit is stopped and the failure says so) {
  auto r = run_process({"sleep", "30"}, {}, {}, default_max_output, std::chrono::milliseconds{200});
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::timeout);
  CAF_CHECK_EQUAL(r.error().message, "sleep did not finish within 0.2s; it was stopped");
  // Within its limit a program runs as without one.
  auto quick = run_process({"true"}, {}, {}, default_max_output, std::chrono::seconds{30});
  CAF_REQUIRE(quick);
  CAF_CHECK_EQUAL(quick->exit_code, 0);
}

CAF_TEST(a program that closes its outputs and lingers is stopped at its limit with its group) {
  // The shell starts a sleeper in its group, closes its outputs and waits: the pump ends at
  // once, the program does not.
  auto started = std::chrono::steady_clock::now();
  auto r = run_process({"sh", "-c", "sleep 30 & exec >&- 2>&-; wait"}, {}, {}, default_max_output,
                       std::chrono::milliseconds{300});
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::timeout);
  CAF_CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds{10});
}
