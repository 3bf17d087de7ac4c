#define CAF_SUITE actors.run_stops
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include <fstream>
#include <sstream>

#include "run_files_test.hpp"
#include "run_test.hpp"

// A run stopped and taken up again, under the deterministic coordinator: cancel and timeout
// mid-run, resuming from a journal, and a fix that no pool member answers.

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace et::test::run_files;
namespace fs = std::filesystem;

CAF_TEST_FIXTURE_SCOPE(run_stops_tests, run_fixture)

CAF_TEST(cancel mid - run keeps the plan and leaves the unfinished work pending) {
  load(yaml_with_latency("100000ms"));
  store::run_record start;
  start.header = header("two parts");
  auto run = spawn(start);
  auto rh = self->request(run, caf::infinite, execute_atom::value);
  sched.run(); // planned and dispatched; the workers' answers wait for the clock
  auto now = folded();
  CAF_REQUIRE_EQUAL(now.subtasks.size(), 2u);
  CAF_CHECK_EQUAL(now.subtasks[0].state, store::subtask_state::running);
  self->send(run, cancel_atom::value, int32_t{2});
  sched.run();
  CAF_REQUIRE(finished());
  auto r = answer_of<store::run_record>(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::interrupted);
  for (const auto& s : r->subtasks)
    CAF_CHECK_EQUAL(s.state, store::subtask_state::pending);
  CAF_CHECK(std::get<store::run_finished>(events().back()).interrupted);
  auto journaled = store::read_run(runs() / "run-1");
  CAF_REQUIRE(journaled);
  CAF_CHECK_EQUAL(journaled->status, store::run_status::interrupted);
  CAF_CHECK_EQUAL(journaled->subtasks.size(), 2u);
}

CAF_TEST(the timeout is a message that stops the run as failed) {
  load(yaml_with_latency("100000ms"));
  store::run_record start;
  start.header = header("two parts");
  auto run = spawn(start, run_limits{7, 2, 600, "", 1});
  auto rh = self->request(run, caf::infinite, execute_atom::value);
  sched.run();
  CAF_REQUIRE(!finished());
  sched.trigger_timeout(); // the run's 1 s comes before the workers' 100 s
  sched.run();
  CAF_REQUIRE(finished());
  auto r = answer_of<store::run_record>(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::failed);
  CAF_CHECK(said("warning: the run timed out after 1s (--timeout)"));
  CAF_CHECK(said("timed out: cancelling work in flight"));
}

CAF_TEST(a resumed run keeps what was done and runs only the rest) {
  load(yaml_with_latency("0ms"));
  // A journal as an interrupted run leaves it: planned, subtask 1 done, 2 pending. Subtask
  // 1's files were never written (a crash while they waited for a re-ask): the resume does.
  store::run_record before;
  before.header = header("two parts");
  before.header.output_dir = (dir / "out").string();
  {
    auto w = store::journal_writer::create(runs(), before.header);
    CAF_REQUIRE(w);
    plan::decomposition plan;
    plan.summary = "Two parts.";
    plan.subtasks = {plan::subtask{1, "Write the FIRST-PART", {}, ""},
                     plan::subtask{2, "Write the SECOND-PART", {1}, ""}};
    CAF_REQUIRE(w->planned(plan, ""));
    store::subtask_record one;
    one.number = 1;
    one.text = "Write the FIRST-PART";
    one.state = store::subtask_state::done;
    one.output = "EARLIER-ANSWER\n```file path=early.txt\nearly\n```\n";
    one.attempts = 1;
    CAF_REQUIRE(w->subtask_finished(one));
    CAF_REQUIRE(w->finished(store::run_status::interrupted, {}, 0));
  }
  auto record = store::read_run(runs() / "run-1");
  CAF_REQUIRE(record);
  record->status = store::run_status::running;
  auto r = complete(spawn(*record, {}, true));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_CHECK(has(r->find(1)->output, "EARLIER-ANSWER"));
  CAF_CHECK_EQUAL(r->find(1)->attempts, 1);
  CAF_CHECK_EQUAL(slurp(dir / "out" / "early.txt"), "early\n");
  CAF_CHECK_EQUAL(r->find(1)->files, (std::vector<std::string>{"early.txt"}));
  CAF_CHECK_EQUAL(r->find(2)->output, "SECOND-AFTER-FIRST"); // shown subtask 1's result
  for (const auto& e : events())
    if (auto* p = std::get_if<store::run_phase_began>(&e))
      CAF_CHECK_NOT_EQUAL(p->name, "decompose");
  auto journaled = store::read_run(runs() / "run-1");
  CAF_REQUIRE(journaled);
  CAF_CHECK_EQUAL(journaled->status, store::run_status::done);
  CAF_CHECK_EQUAL(journaled->resumes, 1);
  CAF_CHECK_EQUAL(journaled->find(2)->state, store::subtask_state::done);
  CAF_CHECK_EQUAL(journaled->find(1)->files, (std::vector<std::string>{"early.txt"}));
}

CAF_TEST(a fix no pool member answers keeps the author of the answer it was to fix) {
  // Two members: "good" answers (its call 4, subtask 2's fix, fails) and "spare" never does.
  // The fix falls over to spare, which fails too: the earlier answer stands, and so does its
  // author (good), not the last member tried.
  auto yaml = yaml_with_latency("0ms");
  std::string work = "  work:\n    type: mock\n    mock:\n      mode: script\n";
  yaml.insert(yaml.find(work) + work.size(),
              "      faults: [{error: server_error, on_calls: [4]}]\n");
  yaml.insert(yaml.find("models:\n"),
              "  broke:\n    type: mock\n    mock: {faults: [{error: server_error, probability: "
              "1}]}\n");
  yaml.insert(yaml.find("models:\n") + 8, "  spare: {provider: broke, model: spare}\n");
  yaml.replace(yaml.find("polecat: {model: good}"), 22, "polecat: {pool: [good, spare]}");
  load(yaml);
  auto start = verified_run("two parts", "a.txt:1: error: broken");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_REQUIRE(said("[2/2] started on spare (attempt 2)")); // the fix went to both
  CAF_CHECK(said("the earlier answer stands"));
  const auto* fixed = r->find(2);
  CAF_REQUIRE(fixed);
  CAF_CHECK_EQUAL(fixed->state, store::subtask_state::done);
  CAF_CHECK_EQUAL(fixed->member, "good");
  CAF_CHECK_EQUAL(fixed->provider, "work");
  CAF_CHECK_EQUAL(fixed->model, "good");
  CAF_CHECK(said("[2/2] done by good"));
}

CAF_TEST_FIXTURE_SCOPE_END()
