#define CAF_SUITE e2e.verify_confined
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>

#include <random>

#include "child.hpp"
#include "et/workspace/verify.hpp"
#include "sandbox_flags.hpp"
#include "temp_dir.hpp"

// The verify command runs model-written code, so the et binary must confine it: no configured
// secret in its environment or in what is journaled and sent back to a model from its output,
// and nothing of it left running after et is told to stop by SIGTERM or SIGHUP, not even
// processes that left its process group with setsid. On the in-process mock provider.

using namespace et::e2e;
namespace json = boost::json;

namespace {

struct fixture : et::test::scratch_dir {
  fs::path config;
  fs::path out;
  std::string secret;

  fixture() : scratch_dir("e2e-confined") {
    config = dir / "et.yaml";
    out = dir / "out";
    std::random_device rd;
    secret = "sk-e2e-verify-" + std::to_string(rd()) + std::to_string(rd());
    // The child inherits the environment: the key a provider uses, one variable the config
    // lists for verify and one it does not.
    ::setenv("ET_E2E_VERIFY_KEY", secret.c_str(), 1);
    ::setenv("ET_E2E_LISTED", "listed-marker", 1);
    ::setenv("ET_E2E_UNLISTED", "unlisted-marker", 1);
  }

  ~fixture() {
    ::unsetenv("ET_E2E_VERIFY_KEY");
    ::unsetenv("ET_E2E_LISTED");
    ::unsetenv("ET_E2E_UNLISTED");
  }

  // One subtask writing out.txt as "broken"; a prompt carrying the secret would make the
  // worker write "leaked" instead, a re-ask with the verify output "fixed".
  void write(const std::string& verify_yaml) {
    std::ofstream{config}
        << "providers:\n"
        << "  boss: {type: mock, mock: {mode: script, script: [{reply: \"## Summary\\nOne "
           "file.\\n## Subtasks\\n1. Write out.txt with the status.\\n\"}]}}\n"
        << "  w1: {type: mock, mock: {mode: script, script: [\n"
        << "    {match: \"" << secret << "\", reply: \"```file path=out.txt\\nleaked\\n```\\n\"},\n"
        << "    {match: verify-says-broken, reply: \"```file path=out.txt\\nfixed\\n```\\n\"},\n"
        << "    {match: write out.txt, reply: \"```file path=out.txt\\nbroken\\n```\\n\"}]}}\n"
        << "  paid: {type: openai, api_key: $ET_E2E_VERIFY_KEY}\n"
        << "models:\n  planner: {provider: boss, model: planner}\n"
        << "  m1: {provider: w1, model: m1}\n  unused: {provider: paid, model: gpt-4o}\n"
        << "roles:\n  mayor: {model: planner}\n  polecat: {model: m1, pool: [m1]}\n"
        << "retry: {attempts: 1}\ndefaults: {state_dir: state}\n"
        << verify_yaml;
  }

  std::vector<std::string> run_args(const std::string& verify, std::vector<std::string> extra) {
    std::vector<std::string> args{"run",          "--no-synthesize", "--json",
                                  "--output-dir", out.string(),      "--verify",
                                  verify,         "--config",        config.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("Make the status file");
    return args;
  }

  // The only run's journal, or "" while there is none.
  fs::path journal() const {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator{dir / "state" / "runs", ec})
      return entry.path() / "journal.jsonl";
    return {};
  }

  std::string status_of_run() {
    auto file = journal();
    if (file.empty())
      return "<no journal>";
    auto id = file.parent_path().filename().string();
    auto r = run_et(dir, {"runs", "show", id, "--json", "--config", config.string()});
    boost::system::error_code ec;
    auto doc = json::parse(r.out, ec);
    if (ec || !doc.is_object())
      return "<no run: " + r.err + ">";
    return std::string{doc.as_object().at("status").as_string()};
  }
};

// Whether a process whose command line is exactly `sleep SECONDS` runs (zombies have none).
bool sleep_runs(const std::string& seconds) {
  std::string wanted = std::string{"sleep"} + '\0' + seconds + '\0';
  std::error_code ec;
  for (const auto& e : fs::directory_iterator{"/proc", ec}) {
    auto name = e.path().filename().string();
    if (name.empty() || name[0] < '0' || name[0] > '9')
      continue;
    if (read_file(e.path() / "cmdline") == wanted)
      return true;
  }
  return false;
}

// A sleep length no other test uses, as the marker of this test's processes.
std::string marker_seconds() {
  std::random_device rd;
  return std::to_string(500000 + rd() % 400000);
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(verify_confined_tests, fixture)

CAF_TEST(verify sees no secret and its output reaches neither journal nor model with one) {
  write("verify: {env: [ET_E2E_LISTED]}\n");
  fs::create_directories(out);
  // Model-written code could read a key from anywhere; here from a file it finds.
  std::ofstream{out / "found.txt"} << "token=" << secret << "\n";
  auto verify = "echo VERIFY-SAYS-$(cat out.txt); env; cat found.txt; grep -q fixed out.txt";
  auto r = run_et(dir, run_args(verify, verify_sandbox_flags()), 20s);
  ET_CHECK_SAYING(r.code == 0, "exit " << r.code << "; stderr:\n" << r.err);
  boost::system::error_code ec;
  auto doc = json::parse(r.out, ec);
  CAF_REQUIRE(!ec && doc.is_object());
  const auto& runs = doc.as_object().at("verifications").as_array();
  CAF_REQUIRE_EQUAL(runs.size(), 2u);
  auto first = std::string{runs[0].at("output").as_string()};
  CAF_CHECK_EQUAL(first.find(secret), std::string::npos);
  CAF_CHECK_NOT_EQUAL(first.find("token=****"), std::string::npos);
  CAF_CHECK_EQUAL(first.find("ET_E2E_VERIFY_KEY"), std::string::npos);
  CAF_CHECK_EQUAL(first.find("unlisted-marker"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(first.find("ET_E2E_LISTED=listed-marker"), std::string::npos);
  // The re-ask carried the output: it got "fixed", not the reply to a prompt with the secret.
  CAF_CHECK_EQUAL(read_file(out / "out.txt"), "fixed\n");
  auto journaled = read_file(journal());
  CAF_CHECK(!journaled.empty());
  CAF_CHECK_EQUAL(journaled.find(secret), std::string::npos);
  CAF_CHECK_EQUAL(r.out.find(secret), std::string::npos);
  CAF_CHECK_EQUAL(r.err.find(secret), std::string::npos);
}

CAF_TEST(sigterm and sighup kill the whole verify tree and journal the run as interrupted) {
  struct variant {
    int sig;
    std::string sandbox;
  };
  std::vector<variant> variants{{SIGTERM, "off"}, {SIGHUP, "off"}};
  if (et::workspace::probe_sandbox().works())
    variants.push_back({SIGTERM, "on"});
  else
    CAF_MESSAGE("sandboxed variant skipped: " << et::workspace::probe_sandbox().problem);
  for (const auto& v : variants) {
    CAF_MESSAGE("signal " << v.sig << ", sandbox " << v.sandbox);
    std::error_code ec;
    fs::remove_all(dir / "state", ec);
    fs::remove_all(out, ec);
    write("");
    auto seconds = marker_seconds();
    // One escapes with setsid, one through a shell that exits at once; both outlive a
    // process-group kill.
    auto verify = "setsid sleep " + seconds + " & sh -c 'setsid sleep " + seconds
                  + " &'; echo up > started; sleep " + seconds;
    child c{dir, "confined", run_args(verify, {"--sandbox", v.sandbox})};
    CAF_REQUIRE(c.started());
    if (!poll_until([&] { return fs::exists(out / "started") || c.poll(); }, 20s))
      CAF_FAIL("verify did not start; stderr:\n" << c.err());
    CAF_REQUIRE(!c.poll());
    CAF_REQUIRE(poll_until([&] { return sleep_runs(seconds); }, 5s));
    c.signal(v.sig);
    CAF_CHECK_EQUAL(c.wait(15s), 128 + v.sig);
    CAF_CHECK(poll_until([&] { return !sleep_runs(seconds); }, 10s));
    CAF_CHECK_EQUAL(status_of_run(), "interrupted");
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
