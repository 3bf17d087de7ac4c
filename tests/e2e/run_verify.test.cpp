#define CAF_SUITE e2e.run_verify
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>

#include "child.hpp"
#include "sandbox_flags.hpp"
#include "temp_dir.hpp"

// `et run --output-dir --verify` as a child process on the in-process mock
// provider. These run the binary rather than run_cli so that a run that never
// ends fails the test at a deadline instead of hanging the suite.
//
// The worker writes out.txt as "broken"; the verify command prints what it
// found and passes only on "fixed". The mock rule that answers "fixed"
// matches the verify output, which only the re-ask after a failed verify
// carries, so a passing second verify proves the output went back.

using namespace et::e2e;
namespace json = boost::json;

namespace {

constexpr auto verify_command = "echo VERIFY-SAYS-$(cat out.txt); grep -q fixed out.txt";

struct fixture : et::test::scratch_dir {
  fs::path config;
  fs::path out;
  std::string err; // the last run's stderr

  fixture() : scratch_dir("e2e-verify") {
    config = dir / "et.yaml";
    out = dir / "out";
    std::ofstream{config}
        << "providers:\n"
        << "  boss: {type: mock, mock: {mode: script, script: [{reply: \"## Summary\\nOne "
           "file.\\n## Subtasks\\n1. Write out.txt with the status.\\n\"}]}}\n"
        << "  w1: {type: mock, mock: {mode: script, script: [\n"
        << "    {match: verify-says-broken, reply: \"```file path=out.txt\\nfixed\\n```\\n\"},\n"
        << "    {match: write out.txt, reply: \"```file path=out.txt\\nbroken\\n```\\n\"}]}}\n"
        << "models:\n  planner: {provider: boss, model: planner}\n"
        << "  m1: {provider: w1, model: m1}\n"
        << "roles:\n  mayor: {model: planner}\n  polecat: {model: m1, pool: [m1]}\n"
        << "retry: {attempts: 1}\ndefaults: {state_dir: state}\n";
  }

  // `et run --json` with the verify flags; the parsed document (null when
  // et did not finish within 10 s or printed no JSON).
  json::value run(std::vector<std::string> extra, int expected_code) {
    std::vector<std::string> args{"run",          "--no-synthesize", "--json",
                                  "--output-dir", out.string(),      "--verify",
                                  verify_command, "--config",        config.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto sandbox = verify_sandbox_flags();
    args.insert(args.end(), sandbox.begin(), sandbox.end());
    args.push_back("Make the status file");
    auto r = run_et(dir, args, 10s);
    err = r.err;
    ET_CHECK_SAYING(r.code != -1, "et run did not finish within 10 s; stderr:\n" << r.err);
    CAF_CHECK_EQUAL(r.code, expected_code);
    boost::system::error_code ec;
    auto doc = json::parse(r.out, ec);
    return ec ? json::value{} : doc;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_verify_tests, fixture)

CAF_TEST(a failing verify goes back to the worker with its output until it passes) {
  auto doc = run({}, 0);
  CAF_CHECK(doc.is_object());
  if (!doc.is_object())
    return; // a CAF_REQUIRE would abort the suite's other tests too
  const auto& r = doc.as_object();
  CAF_CHECK_EQUAL(r.at("status").as_string(), "done");
  const auto& runs = r.at("verifications").as_array();
  CAF_REQUIRE_EQUAL(runs.size(), 2u);
  CAF_CHECK_EQUAL(runs[0].at("passed").as_bool(), false);
  CAF_CHECK_EQUAL(runs[0].at("exit_code").as_int64(), 1);
  CAF_CHECK_EQUAL(runs[0].at("output").as_string(), "VERIFY-SAYS-broken\n");
  CAF_CHECK_EQUAL(runs[0].at("blamed").as_array().size(), 1u);
  CAF_CHECK_EQUAL(runs[1].at("passed").as_bool(), true);
  CAF_CHECK_EQUAL(read_file(out / "out.txt"), "fixed\n");
}

CAF_TEST(verification that still fails at the last iteration fails the run with exit 1) {
  auto doc = run({"--max-iterations", "1"}, 1);
  CAF_CHECK(doc.is_object());
  if (!doc.is_object())
    return;
  const auto& r = doc.as_object();
  CAF_CHECK_EQUAL(r.at("status").as_string(), "failed");
  const auto& runs = r.at("verifications").as_array();
  CAF_REQUIRE_EQUAL(runs.size(), 1u);
  CAF_CHECK_EQUAL(runs[0].at("passed").as_bool(), false);
  // Why it failed shows where the run is watched, not only in the journal.
  CAF_CHECK(err.find("verify 1: failed (exit 1)\n  | VERIFY-SAYS-broken\n") != std::string::npos);
  // The work itself finished: only verification failed.
  CAF_CHECK_EQUAL(r.at("subtasks").as_array().at(0).at("state").as_string(), "done");
  CAF_CHECK_EQUAL(read_file(out / "out.txt"), "broken\n");
}

CAF_TEST(a resume verifies with the timeout its run started with unless given another) {
  // The verify command outlasts the run's 1 s timeout; under the default 600 s it would pass.
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> a{"run", "--json", "--config", config.string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  auto sandbox = verify_sandbox_flags();
  auto start = args({"--no-synthesize", "--output-dir", out.string(), "--verify", "sleep 2",
                     "--verify-timeout", "1", "--max-iterations", "1"});
  start.insert(start.end(), sandbox.begin(), sandbox.end());
  start.push_back("Make the status file");
  auto first = run_et(dir, start, 10s);
  CAF_CHECK_EQUAL(first.code, 1);
  auto doc = json::parse(first.out).as_object();
  auto id = std::string{doc.at("header").at("id").as_string()};
  CAF_CHECK_EQUAL(doc.at("verifications").at(0).at("timed_out").as_bool(), true);
  auto again = run_et(dir, args({"--resume", id}), 10s);
  CAF_CHECK_EQUAL(again.code, 1);
  auto resumed = json::parse(again.out).as_object();
  CAF_CHECK_EQUAL(resumed.at("verifications").as_array().size(), 2u);
  CAF_CHECK_EQUAL(resumed.at("verifications").at(1).at("timed_out").as_bool(), true);
  CAF_CHECK_EQUAL(resumed.at("header").at("verify_timeout_s").as_int64(), 1);
  // Given again, it holds for that process.
  auto longer = run_et(dir, args({"--resume", id, "--verify-timeout", "5"}), 10s);
  CAF_CHECK_EQUAL(longer.code, 0);
  auto shown = run_et(dir, {"runs", "show", id, "--config", config.string()}, 10s);
  CAF_CHECK(shown.out.find("--verify-timeout 1") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
