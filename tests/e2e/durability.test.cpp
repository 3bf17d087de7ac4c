#define CAF_SUITE e2e.durability
#include "caf/test/unit_test.hpp"

#include "child.hpp"
#include "et/store/ledger_store.hpp"
#include "et/store/run_lock.hpp"
#include "temp_dir.hpp"

// The et binary under the hostile edges of issue #12: several processes on one
// ledger and one run, a reader that goes away, a journal that lies. Every run
// uses the in-process mock provider.

using namespace et::e2e;

namespace {

// 400 bytes: 100 mock tokens, the alias's max_tokens, at $0.001 a token.
const std::string answer = [] {
  std::string s;
  for (int i = 0; i < 80; ++i)
    s += "word ";
  return s;
}();

struct fixture : et::test::scratch_dir {
  fs::path config;

  fixture() : scratch_dir("e2e-durable") { config = dir / "et.yaml"; }

  // A mock answering `answer` after `latency`; `extra` is appended (budgets).
  void write_config(const std::string& latency, const std::string& extra = {}) {
    std::ofstream{config} << "providers:\n"
                          << "  sim: {type: mock, mock: {mode: fixed, text: \"" << answer
                          << "\", latency: " << latency << "}}\n"
                          << "models:\n"
                          << "  m: {provider: sim, model: m, max_tokens: 100,"
                          << " price: {input: 1000, output: 1000}}\n"
                          << "roles:\n  mayor: {model: m}\n  polecat: {model: m, pool: [m]}\n"
                          << "  single: {model: m}\n"
                          << "retry: {attempts: 1}\n"
                          << "defaults: {state_dir: " << (dir / "state").string() << "}\n"
                          << extra;
  }

  std::vector<et::store::stored_call> ledger_calls() {
    auto ledger = et::store::open_sqlite_ledger(dir / "state" / "ledger.sqlite");
    CAF_REQUIRE(ledger);
    auto calls = (*ledger)->since(0);
    CAF_REQUIRE(calls);
    return *calls;
  }

  // A run interrupted after planning `subtasks` (a JSON array), ready for --resume.
  fs::path write_journal(const std::string& id, const std::string& subtasks) {
    auto run = dir / "state" / "runs" / id;
    fs::create_directories(run);
    std::ofstream{run / "journal.jsonl"}
        << R"({"event":"started","at":1,"id":")" << id << R"(","task":"t","config":")"
        << config.string()
        << R"(","supervisor_role":"mayor","worker_role":"polecat","max_subtasks":10,)"
        << R"("synthesize":false,"review":false,"refine":false})"
        << "\n"
        << R"({"event":"planned","at":2,"summary":"s","subtasks":)" << subtasks << "}\n";
    return run;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(durability_tests, fixture)

// Each call is reserved at its worst case (prompt estimate + max_tokens), which
// for the mock is at least what it costs, so together the runs stay within the
// day's budget exactly; refused runs say which budget stopped them.
CAF_TEST(concurrent runs together stay within the day budget) {
  write_config("1500ms", "budgets: {per_day: 0.25}\n");
  std::vector<std::unique_ptr<child>> runs;
  for (int i = 0; i < 6; ++i)
    runs.push_back(std::make_unique<child>(
        dir, "run" + std::to_string(i),
        std::vector<std::string>{"run", "--worker-role", "single", "--config", config.string(),
                                 "say something"}));
  int refused = 0;
  for (auto& r : runs) {
    CAF_CHECK_NOT_EQUAL(r->wait(30s), -1);
    if (r->err().find("per_day budget") != std::string::npos)
      ++refused;
    else // shown when a check fails: how a run that was not refused ended
      CAF_MESSAGE("a run not refused wrote on stderr: " << r->err());
  }
  double spent = 0;
  auto calls = ledger_calls();
  for (const auto& c : calls)
    spent += c.call.usd.value_or(0);
  CAF_CHECK_LESS_OR_EQUAL(spent, 0.25 + 1e-9);
  CAF_CHECK_EQUAL(calls.size(), 2u); // $0.101 each: two fit in $0.25
  CAF_CHECK_EQUAL(refused, 4);
}

CAF_TEST(a closed stdout does not lose the call from the ledger) {
  write_config("0ms");
  int pipe_fds[2];
  CAF_REQUIRE_EQUAL(::pipe(pipe_fds), 0);
  ::close(pipe_fds[0]); // the reader is gone before et writes a byte, as `| head -c0`
  std::vector<std::string> argv{et_binary,  "run",           "--worker-role", "single",
                                "--config", config.string(), "say something"};
  std::vector<char*> ptrs;
  for (auto& a : argv)
    ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  auto err = (dir / "pipe.err").string();
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // As a shell starts it: SIGPIPE at its default, whatever the test runner does with it.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  CAF_REQUIRE_EQUAL(posix_spawn(&pid, et_binary.c_str(), &actions, &attr, ptrs.data(), environ), 0);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  int status = 0;
  CAF_REQUIRE_EQUAL(::waitpid(pid, &status, 0), pid);
  CAF_CHECK(WIFEXITED(status)); // not killed by SIGPIPE
  CAF_CHECK_EQUAL(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), 141);
  auto calls = ledger_calls();
  CAF_REQUIRE_EQUAL(calls.size(), 1u);
  CAF_CHECK(calls[0].call.ok);
  CAF_CHECK(calls[0].call.usd.value_or(0) > 0);
}

CAF_TEST(a run in use by another process is not resumed a second time) {
  write_config("0ms");
  auto run = write_journal("20260101-000000-abcd", R"([{"number":1,"text":"a"}])");
  auto lock = et::store::run_lock::acquire(run); // the other process: this one
  CAF_REQUIRE(lock);
  auto r = run_et(dir, {"run", "--resume", "20260101-000000-abcd", "--config", config.string()});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK_EQUAL(r.err, "et run: run 20260101-000000-abcd is in use by pid "
                             + std::to_string(::getpid()) + "\n");
  CAF_CHECK(ledger_calls().empty());
}

CAF_TEST(resuming a journal whose plan has a cycle fails naming the journal) {
  write_config("0ms");
  auto run = write_journal("20260101-000000-cafe", R"([{"number":1,"text":"a","depends_on":[2]},)"
                                                   R"({"number":2,"text":"b","depends_on":[1]}])");
  auto r =
      run_et(dir, {"run", "--resume", "20260101-000000-cafe", "--config", config.string()}, 20s);
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK_EQUAL(r.err, "et run --resume: journal: " + (run / "journal.jsonl").string()
                             + ": subtask 1 depends on 2, which depends on 1: a cycle\n");
}

CAF_TEST_FIXTURE_SCOPE_END()
