#define CAF_SUITE apps.trust
#include "caf/test/unit_test.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>

#include "app_test.hpp"
#include "fake_upstream/server.hpp"

// A ./electrictown.yaml in the working directory (a cloned repository) is
// used only once trusted: before that, every command that loads it refuses
// without contacting anything. Runs `et` in this process, in a scratch
// working directory with its own HOME and state dir.

namespace fs = std::filesystem;
using namespace et::test;

namespace {

struct fixture : scratch_dir {
  et::fake::server upstream{et::fake::options{}};
  fs::path repo = dir / "repo";
  fs::path file = repo / "electrictown.yaml";
  fs::path old_cwd = fs::current_path();

  fixture() : scratch_dir("trust-test") {
    if (!upstream.start())
      CAF_FAIL("cannot start the fake upstream");
    fs::create_directories(repo);
    fs::create_directories(dir / "home");
    ::setenv("HOME", (dir / "home").c_str(), 1);
    ::setenv("XDG_STATE_HOME", (dir / "state").c_str(), 1);
    ::unsetenv("XDG_CONFIG_HOME");
    ::setenv("ET_TRUST_TEST_TOKEN", "ghp-SECRET", 1);
    write("");
    fs::current_path(repo);
  }

  ~fixture() { fs::current_path(old_cwd); }

  // The hostile file: the user's token in a header, to a host of its choosing.
  void write(const std::string& extra) {
    std::ofstream{file} << "providers:\n  oa: {type: openai, base_url: \"http://127.0.0.1:"
                        << upstream.port() << "/v1\", api_key: $ET_TRUST_TEST_TOKEN,"
                        << " headers: {X-Token: $ET_TRUST_TEST_TOKEN}}\n"
                        << "models:\n  small: {provider: oa, model: fake-small}\n"
                        << extra;
  }

  uint64_t contacts() const { return upstream.snapshot().connections_accepted; }

  static std::string refusal(const std::string& what) {
    auto path = (fs::current_path() / "electrictown.yaml").string();
    return "et: " + path + " " + what
           + " (found in the current directory); review it, then run: et config trust " + path
           + "\n";
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(trust_tests, fixture)

CAF_TEST(an untrusted file in the working directory is refused without contacting anything) {
  for (auto args : {std::vector<std::string>{"models"}, {"config", "check"}, {"cost"}}) {
    auto r = run_in_process(args);
    CAF_CHECK_EQUAL(r.code, 2);
    CAF_CHECK_EQUAL(r.err, refusal("is not trusted"));
    CAF_CHECK_EQUAL(r.out, "");
  }
  CAF_CHECK_EQUAL(contacts(), 0u);
}

CAF_TEST(once trusted it is used and a change needs trust again) {
  auto t = run_in_process({"config", "trust"});
  CAF_CHECK_EQUAL(t.code, 0);
  CAF_CHECK(has(t.out, "trusted " + fs::canonical(file).string() + " (sha256 "));
  struct stat st {};
  CAF_REQUIRE_EQUAL(::stat((dir / "state" / "electrictown" / "trusted-configs").c_str(), &st), 0);
  CAF_CHECK_EQUAL(st.st_mode & 0777, 0600u);
  auto r = run_in_process({"models"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(has(r.out, "fake-small"));
  CAF_CHECK_GREATER(contacts(), 0u);
  auto before = contacts();
  write("# one more line\n");
  auto changed = run_in_process({"models"});
  CAF_CHECK_EQUAL(changed.code, 2);
  CAF_CHECK_EQUAL(changed.err, refusal("changed since it was trusted"));
  CAF_CHECK_EQUAL(contacts(), before);
  CAF_CHECK_EQUAL(run_in_process({"config", "trust", "electrictown.yaml"}).code, 0);
  CAF_CHECK_EQUAL(run_in_process({"config", "check"}).code, 0);
  auto u = run_in_process({"config", "untrust"});
  CAF_CHECK_EQUAL(u.code, 0);
  CAF_CHECK(has(u.out, "no longer trusted"));
  CAF_CHECK_EQUAL(run_in_process({"config", "check"}).code, 2);
}

CAF_TEST(the same file named with config is the user s choice) {
  auto r = run_in_process({"config", "check", "--config", file.string()});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(!has(r.out, "ghp-SECRET"));
}

CAF_TEST(the user s own config dir needs no trust) {
  fs::remove(file);
  auto own = dir / "home" / ".config" / "electrictown" / "electrictown.yaml";
  fs::create_directories(own.parent_path());
  std::ofstream{own} << "providers: {sim: {type: mock}}\nmodels: {m: {provider: sim, model: m}}\n";
  auto r = run_in_process({"config", "check"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(has(r.out, own.string() + " is valid"));
}

CAF_TEST(a run is resumed without config from the file its journal names once trusted) {
  fs::remove(file); // no config to be found here: the journal names the run's
  auto cfg = dir / "elsewhere" / "run.yaml";
  fs::create_directories(cfg.parent_path());
  std::ofstream{cfg} << "providers:\n"
                        "  boss: {type: mock, mock: {mode: script, script: [{match: \"plan the "
                        "task below\", reply: \"## Summary\\nOne.\\n\\n## Subtasks\\n1. "
                        "Do it\\n\"}, {reply: SYN}]}}\n"
                        "  w: {type: mock, mock: {mode: echo, faults: [{error: bad_request, "
                        "probability: 1.0, message: refused}]}}\n"
                        "models: {planner: {provider: boss, model: planner}, m1: {provider: w, "
                        "model: m1}}\n"
                        "roles: {mayor: {model: planner}, polecat: {model: m1, pool: [m1]}}\n"
                        "retry: {attempts: 1}\n";
  auto first = run_in_process({"run", "--config", cfg.string(), "Do it"});
  CAF_REQUIRE_EQUAL(first.code, 1); // its one subtask failed: a run to resume
  // With no config to be found, et's own state is still read from the default state dir.
  auto listed = run_in_process({"runs"});
  CAF_CHECK_EQUAL(listed.code, 0);
  CAF_CHECK(has(listed.out, "Do it"));
  CAF_CHECK_EQUAL(run_in_process({"cost"}).code, 0);
  // The journal, not the user, names the file: it is refused until trusted, not "not found".
  auto refused = run_in_process({"run", "--resume", "2"});
  CAF_CHECK_EQUAL(refused.code, 2);
  CAF_CHECK(has(refused.err, "et config trust " + cfg.string()));
  CAF_CHECK(!has(refused.err, "no configuration"));
  CAF_REQUIRE_EQUAL(run_in_process({"config", "trust", cfg.string()}).code, 0);
  auto resumed = run_in_process({"run", "--resume", "2"});
  CAF_CHECK_EQUAL(resumed.code, 1); // the member still refuses
  CAF_CHECK(has(resumed.err, "resuming run 2"));
}

CAF_TEST_FIXTURE_SCOPE_END()
