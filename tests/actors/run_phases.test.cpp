#define CAF_SUITE actors.run_phases
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <fstream>
#include <sstream>

#include "run_files_test.hpp"
#include "run_test.hpp"

// The run's later phases under the deterministic coordinator: files, verify and the fix
// round it triggers (with a scripted verifier in place of the detached one). Cancel, timeout
// and resume: run_stops.test.cpp.

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace et::test::run_files;
namespace fs = std::filesystem;

namespace {

// One subtask whose first answer leaves its block open; REASK is the answer to the re-ask.
const char* reask_yaml = R"(
providers:
  boss:
    type: mock
    mock:
      mode: script
      script:
        - {match: "Reply in exactly this format", reply: "## Summary\nOne part.\n\n## Subtasks\n1. Write the ONLY-PART\n"}
        - {match: "", reply: "SYNTHESIS"}
  work:
    type: mock
    mock:
      mode: script
      script:
        - {match: "could not be written as you gave them", reply: "REASK"}
        - {match: "ONLY-PART", reply: "```file path=ok.txt\nok\n```\n```file path=a.txt\nhalf a fi"}
models:
  planner: {provider: boss, model: planner}
  good: {provider: work, model: good}
roles:
  mayor: {model: planner}
  polecat: {model: good}
retry: {attempts: 1}
)";

std::string reask_with(const std::string& answer) {
  std::string yaml = reask_yaml;
  yaml.replace(yaml.find("REASK"), 5, answer);
  return yaml;
}

// One subtask; the witness checks the result against one criterion: it fails the first
// draft (blaming subtask 1) and passes once the fixed answer is in the result.
const char* accept_yaml = R"(
providers:
  boss:
    type: mock
    mock:
      mode: script
      script:
        - {match: "Reply in exactly this format", reply: "## Summary\nOne part.\n\n## Subtasks\n1. Write the ONLY-PART\n"}
        - {match: "", reply: "SYNTHESIS {prompt}"}
  work:
    type: mock
    mock:
      mode: script
      script:
        - {match: "falls short", reply: "FIXED-ANSWER"}
        - {match: "", reply: "FIRST-DRAFT"}
  judge:
    type: mock
    mock:
      mode: script
      script:
        - {match: "PASSWORD", reply: "1. pass"}
        - {match: "", reply: "1. fail: the answer lacks detail [subtasks: 1]"}
models:
  planner: {provider: boss, model: planner}
  good: {provider: work, model: good}
  judge: {provider: judge, model: judge}
roles:
  mayor: {model: planner}
  polecat: {model: good}
  witness: {model: judge}
retry: {attempts: 1}
)";

std::string accept_when(const std::string& word) {
  std::string yaml = accept_yaml;
  yaml.replace(yaml.find("PASSWORD"), 8, word);
  return yaml;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_phases_tests, run_fixture)

CAF_TEST(the files of each subtask are written and a conflict is reported) {
  load(yaml_with_latency("0ms"));
  store::run_record start;
  start.header = header("two parts");
  start.header.output_dir = (dir / "out").string();
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_CHECK_EQUAL(slurp(dir / "out" / "a.txt"), "broken\n");
  CAF_CHECK_EQUAL(r->find(1)->files, (std::vector<std::string>{"a.txt", "shared.txt"}));
  CAF_CHECK_EQUAL(r->find(2)->files, (std::vector<std::string>{"shared.txt"}));
  // Subtask 2 wrote shared.txt first; subtask 1 was asked once to keep to its own files.
  // It insisted, so its files are written and the conflict reported.
  CAF_CHECK(said("shared.txt belongs to subtask 2 (write only your own files); asked good again"));
  CAF_CHECK_EQUAL(slurp(dir / "out" / "shared.txt"), "one\n");
  CAF_CHECK(said("warning: shared.txt was written by subtask"));
  auto journaled = store::read_run(runs() / "run-1");
  CAF_REQUIRE(journaled);
  CAF_CHECK_EQUAL(journaled->find(1)->files, r->find(1)->files);
  CAF_CHECK_EQUAL(journaled->warnings, r->warnings);
}

CAF_TEST(a block left open goes back once to the worker and its fixed answer is written) {
  load(reask_with("```file path=ok.txt\\nok\\n```\\n```file path=a.txt\\nwhole\\n```\\n"));
  store::run_record start;
  start.header = header("one part");
  start.header.output_dir = (dir / "out").string();
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_CHECK(said("the block for a.txt opened on line 4 is never closed"));
  CAF_CHECK(said("asked good again"));
  // Nothing of the first answer was written; the second answer's files were.
  CAF_CHECK_EQUAL(slurp(dir / "out" / "a.txt"), "whole\n");
  CAF_CHECK_EQUAL(r->find(1)->files, (std::vector<std::string>{"ok.txt", "a.txt"}));
  CAF_CHECK_EQUAL(r->find(1)->attempts, 2);
  std::vector<std::string> phases;
  for (const auto& p : r->phases)
    phases.push_back(p.name);
  CAF_CHECK_EQUAL(phases,
                  (std::vector<std::string>{"decompose", "execute", "files", "synthesize"}));
}

CAF_TEST(a re - ask that fails leaves the first answer and its good files) {
  // The worker's second call (the re-ask) fails.
  auto yaml = reask_with("unused");
  std::string work = "  work:\n    type: mock\n    mock:\n      mode: script\n";
  yaml.insert(yaml.find(work) + work.size(),
              "      faults: [{error: server_error, on_calls: [2]}]\n");
  load(yaml);
  store::run_record start;
  start.header = header("one part");
  start.header.output_dir = (dir / "out").string();
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->find(1)->state, store::subtask_state::done);
  CAF_CHECK(said("the re-ask did not answer"));
  CAF_CHECK(said("the earlier answer stands"));
  CAF_CHECK_EQUAL(slurp(dir / "out" / "ok.txt"), "ok\n");
  CAF_CHECK(!fs::exists(dir / "out" / "a.txt")); // half a file is never written
  CAF_CHECK(said("never closed"));
}

CAF_TEST(an unmet acceptance criterion sends its subtask back and the result is checked again) {
  load(accept_when("FIXED-ANSWER"));
  store::run_record start;
  start.header = header("one part");
  start.header.review = false;
  start.header.accept = {"explains every step"};
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_REQUIRE_EQUAL(r->acceptance.size(), 2u);
  CAF_CHECK(!r->acceptance[0].passed());
  CAF_CHECK_EQUAL(r->acceptance[0].results[0].criterion, "explains every step");
  CAF_CHECK_EQUAL(r->acceptance[0].results[0].why, "the answer lacks detail");
  CAF_CHECK_EQUAL(r->acceptance[0].results[0].subtasks, (std::vector<int>{1}));
  CAF_CHECK(r->acceptance[1].passed());
  CAF_CHECK_EQUAL(r->find(1)->output, "FIXED-ANSWER");
  CAF_CHECK(has(r->final_output, "FIXED-ANSWER"));
  std::vector<std::string> phases;
  for (const auto& p : r->phases)
    phases.push_back(p.name);
  CAF_CHECK_EQUAL(phases, (std::vector<std::string>{"decompose", "execute", "synthesize", "accept",
                                                    "accept-fix", "synthesize", "accept"}));
  CAF_CHECK(folded().acceptance == r->acceptance);
  auto journaled = store::read_run(runs() / "run-1");
  CAF_REQUIRE(journaled);
  CAF_CHECK(journaled->acceptance == r->acceptance);
  CAF_CHECK_EQUAL(journaled->header.accept, start.header.accept);
}

CAF_TEST(a criterion never met fails the run after the last check and keeps the result) {
  load(accept_when("NEVER-SEEN"));
  store::run_record start;
  start.header = header("one part");
  start.header.review = false;
  start.header.max_iterations = 2;
  start.header.accept = {"explains every step"};
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::failed);
  CAF_CHECK_EQUAL(r->acceptance.size(), 2u);
  CAF_CHECK(has(r->final_output, "SYNTHESIS"));
  CAF_CHECK(said("acceptance 2: 0/1 criteria met"));
}

CAF_TEST(a failing verify sends the blamed subtask back and the fix passes) {
  load(yaml_with_latency("0ms"));
  auto start = verified_run("two parts", "a.txt:1: error: broken");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->verifications.size(), 2u);
  CAF_CHECK(!r->verifications[0].passed);
  CAF_CHECK_EQUAL(r->verifications[0].blamed, (std::vector<int>{1}));
  CAF_CHECK(r->verifications[1].passed);
  CAF_CHECK_EQUAL(slurp(dir / "out" / "a.txt"), "fixed\n");
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_REQUIRE_EQUAL(verifier_seen().seen.size(), 2u);
  CAF_CHECK_EQUAL(verifier_seen().seen[0].command, "make check");
  CAF_CHECK_EQUAL(verifier_seen().seen[0].dir, dir / "out");
  std::vector<std::string> phases;
  for (const auto& p : r->phases)
    phases.push_back(p.name);
  CAF_CHECK_EQUAL(phases, (std::vector<std::string>{"decompose", "execute", "files", "verify",
                                                    "fix", "verify", "synthesize"}));
}

CAF_TEST(the verify output reaches the fix quoted between marks) {
  // What the command printed is anyone's words: it goes to the fix between quote marks (the
  // worker answers "quoted" only when it sees them), not in a block it could close itself.
  auto yaml = yaml_with_latency("0ms");
  auto rules = yaml.find("        - {match: \"What to fix\"");
  yaml.insert(rules, "        - {match: \">>>\\na.txt:1: error: broken\\n<<<end \", "
                     "reply: \"```file path=a.txt\\nquoted\\n```\\n\"}\n");
  load(yaml);
  auto start = verified_run("two parts", "a.txt:1: error: broken");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(slurp(dir / "out" / "a.txt"), "quoted\n");
}

CAF_TEST(a fix that fails keeps the answer it was to fix and its files) {
  // Subtask 1's re-ask (for shared.txt) answers "reasked"; the fix of it (call 4) fails.
  auto yaml = yaml_with_latency("0ms");
  auto reask = yaml.find("broken", yaml.find("could not be written"));
  yaml.replace(reask, 6, "reasked");
  std::string work = "  work:\n    type: mock\n    mock:\n      mode: script\n";
  yaml.insert(yaml.find(work) + work.size(),
              "      faults: [{error: server_error, on_calls: [4]}]\n");
  load(yaml);
  auto start = verified_run("two parts", "a.txt:1: error: broken");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK(said("the earlier answer stands"));
  CAF_CHECK_EQUAL(r->find(1)->state, store::subtask_state::done);
  CAF_CHECK(has(r->find(1)->output, "reasked"));
  CAF_CHECK_EQUAL(r->find(1)->provider, "work");
  // Not the first answer, which the re-ask replaced.
  CAF_CHECK_EQUAL(slurp(dir / "out" / "a.txt"), "reasked\n");
  // Its files were on disk already: not written again over what other fixes may have written.
  auto all = lines();
  auto wrote = std::count_if(all.begin(), all.end(),
                             [](const std::string& l) { return has(l, "[1/2] wrote"); });
  CAF_CHECK_EQUAL(wrote, 1);
  CAF_CHECK(has(r->final_output, "SYNTHESIS"));
}

CAF_TEST(a verify that never passes fails the run after the last iteration) {
  load(yaml_with_latency("0ms"));
  auto start = verified_run("two parts", "a.txt:1: still broken");
  verifier_seen().script.push_back(failed_verify("a.txt:1: still broken")); // and again
  start.header.max_iterations = 2;
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->verifications.size(), 2u);
  CAF_CHECK(r->verifications.back().blamed.empty()); // the last one blames nobody
  CAF_CHECK_EQUAL(r->status, store::run_status::failed);
}

CAF_TEST(a sandbox that cannot start fails verify at once without a fix round) {
  load(yaml_with_latency("0ms"));
  auto start = verified_run("two parts", "bwrap: setting up uid map: Permission denied\n");
  actors::run_limits sandboxed;
  sandboxed.bwrap = "/usr/bin/bwrap";
  auto r = complete(spawn(start, sandboxed));
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->verifications.size(), 1u);
  CAF_CHECK(r->verifications[0].blamed.empty());
  CAF_CHECK_EQUAL(r->verifications[0].output,
                  "the verify sandbox did not start: bwrap: setting up uid map: Permission denied");
  CAF_CHECK_EQUAL(r->status, store::run_status::failed);
  CAF_CHECK_EQUAL(verifier_seen().seen.size(), 1u);
}

CAF_TEST(the same words from a command run without the sandbox are its own and get a fix) {
  load(yaml_with_latency("0ms"));
  auto start = verified_run("two parts", "bwrap: setting up uid map: Permission denied\n");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->verifications.size(), 2u);
  CAF_CHECK_EQUAL(verifier_seen().seen.size(), 2u);
}

CAF_TEST(a verify command runs within the config s limits and without core dumps) {
  load(yaml_with_latency("0ms"));
  auto r = complete(spawn(verified_run("two parts", "a.txt:1: broken\n")));
  CAF_REQUIRE(r);
  CAF_REQUIRE(!verifier_seen().seen.empty());
  constexpr uint64_t mib = 1024 * 1024;
  CAF_CHECK(verifier_seen().seen[0].limits
            == (workspace::command_limits{4096, 4096 * mib, 0, true}));
}

CAF_TEST_FIXTURE_SCOPE_END()
