#define CAF_SUITE actors.run
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "run_test.hpp"

// Whole runs under the deterministic coordinator: the run actor drives the mayor, the pool
// (with its polecats and witness) and the router over scripted mock providers; the test
// reads the record it replies with, the events it published and the journal it wrote.

using namespace et;
using namespace et::actors;
using namespace et::test;

namespace {

// Subtask 2 depends on 1; 3 goes to the writer specialist. The polecat's pool starts with
// a member that refuses every request, so work moves on to the good one.
const char* plan_yaml = R"(
providers:
  boss:
    type: mock
    mock:
      mode: script
      script:
        - {match: "Reply in exactly this format", reply: "## Summary\nThree parts.\n\n## Subtasks\n1. Write the PARSER-PART\n2. Write the TESTS-PART [depends: 1]\n3. Write the DOCS-PART [specialist: writer]\n"}
        - {match: "", reply: "SYNTHESIS {prompt}"}
  work:
    type: mock
    mock:
      mode: script
      script:
        - {match: "TESTS-PART", reply: "TESTS-RESULT built on {prompt}"}
        - {match: "PARSER-PART", reply: "PARSER-RESULT"}
        - {match: "", reply: "GENERIC"}
  scribe:
    type: mock
    mock: {mode: script, script: [{match: "", reply: "DOCS-RESULT"}]}
  bad:
    type: mock
    mock: {mode: echo, faults: [{error: bad_request, probability: 1.0, message: "key refused"}]}
models:
  planner: {provider: boss, model: planner}
  good: {provider: work, model: good}
  broken: {provider: bad, model: broken}
  writer-model: {provider: scribe, model: writer}
roles:
  mayor: {model: planner}
  polecat: {model: good, pool: [broken, good]}
specialists:
  writer: {model: writer-model, description: writes docs}
retry: {attempts: 1}
)";

// One subtask; the witness scores the first draft 3 and the fixed answer 9.
const char* witness_yaml = R"(
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
        - {match: "NEEDS-MORE-DETAIL", reply: "FIXED-ANSWER"}
        - {match: "", reply: "FIRST-DRAFT"}
  judge:
    type: mock
    mock:
      mode: script
      script:
        - {match: "FIXED-ANSWER", reply: "SCORE: 9/10\nNo changes needed."}
        - {match: "", reply: "SCORE: 3/10\n- NEEDS-MORE-DETAIL"}
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

// Adds `locked`: a planner whose key is refused (an auth failure falls back).
std::string with_locked_planner(std::string yaml) {
  auto providers = yaml.find("providers:\n") + 11;
  yaml.insert(providers, "  vault:\n    type: mock\n    mock: {mode: echo, faults: [{error: auth, "
                         "probability: 1.0, message: \"invalid x-api-key\"}]}\n");
  auto models = yaml.find("models:\n") + 8;
  yaml.insert(models, "  locked: {provider: vault, model: planner}\n");
  return yaml;
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

} // namespace

// The run fixture, with a run of one task whose answers are reviewed (min score 7, 2 re-asks).
struct review_fixture : run_fixture {
  caf::expected<store::run_record> reviewed_run(std::string_view yaml) {
    load(yaml);
    store::run_record start;
    start.header = header("one thing");
    return complete(spawn(start, run_limits{7, 2, 600, "", 0}));
  }
};

CAF_TEST_FIXTURE_SCOPE(run_tests, review_fixture)

CAF_TEST(a plan with a dependency and a specialist runs to one synthesized answer) {
  load(plan_yaml);
  store::run_record start;
  start.header = header("build a parser");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_REQUIRE_EQUAL(r->subtasks.size(), 3u);
  for (const auto& s : r->subtasks)
    CAF_CHECK_EQUAL(s.state, store::subtask_state::done);
  // The dependent subtask was shown its dependency's result.
  CAF_CHECK(has(r->subtasks[1].output, "TESTS-RESULT"));
  CAF_CHECK(has(r->subtasks[1].output, "PARSER-RESULT"));
  CAF_CHECK_EQUAL(r->subtasks[2].output, "DOCS-RESULT");
  CAF_CHECK_EQUAL(r->subtasks[2].member, "writer-model");
  CAF_CHECK(has(r->final_output, "SYNTHESIS"));
  // The events tell a subscriber the same run, in order: plan first, finished last.
  CAF_REQUIRE(finished());
  CAF_CHECK(std::holds_alternative<store::run_phase_began>(events().front()));
  auto seen = folded();
  CAF_CHECK_EQUAL(seen.status, store::run_status::done);
  CAF_CHECK(seen.subtasks == r->subtasks);
  // And so does the journal.
  auto journaled = store::read_run(runs() / "run-1");
  CAF_REQUIRE(journaled);
  CAF_CHECK_EQUAL(journaled->status, store::run_status::done);
  CAF_CHECK_EQUAL(journaled->final_output, r->final_output);
  CAF_CHECK_EQUAL(journaled->subtasks.size(), 3u);
  std::vector<std::string> phases;
  for (const auto& p : journaled->phases)
    phases.push_back(p.name);
  CAF_CHECK_EQUAL(phases, (std::vector<std::string>{"decompose", "execute", "synthesize"}));
}

CAF_TEST(a member that refuses is replaced by the next and the refusal is said) {
  load(plan_yaml);
  store::run_record start;
  start.header = header("build a parser");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  int retried = 0;
  for (const auto& s : r->subtasks)
    if (s.specialist.empty()) {
      CAF_CHECK_EQUAL(s.member, "good");
      retried += s.attempts > 1;
    }
  CAF_CHECK_GREATER(retried, 0);
  CAF_CHECK(said("attempt on broken failed"));
  // Each move from broken to good is a fallback: recorded, published, journaled.
  CAF_REQUIRE(!r->fallbacks.empty());
  for (const auto& f : r->fallbacks) {
    CAF_CHECK_GREATER(f.subtask, 0);
    CAF_CHECK_EQUAL(f.role, "polecat");
    CAF_CHECK_EQUAL(f.taken.from, "broken");
    CAF_CHECK_EQUAL(f.taken.to, "good");
    CAF_CHECK(f.answered);
  }
  CAF_CHECK(folded().fallbacks == r->fallbacks);
  auto journaled = store::read_run(runs() / "run-1");
  CAF_REQUIRE(journaled);
  CAF_CHECK(journaled->fallbacks == r->fallbacks);
}

CAF_TEST(a mayor answered by its fallback says so once and the run goes on) {
  std::string yaml = plan_yaml;
  auto at = yaml.find("  mayor: {model: planner}");
  CAF_REQUIRE(at != std::string::npos);
  yaml.replace(at, 25, "  mayor: {model: locked, fallbacks: [planner]}");
  load(with_locked_planner(yaml));
  store::run_record start;
  start.header = header("build a parser");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  // Decompose and synthesize each fell back from broken to planner.
  int mayor = 0;
  for (const auto& f : r->fallbacks)
    if (f.subtask == 0) {
      ++mayor;
      CAF_CHECK_EQUAL(f.role, "mayor");
      CAF_CHECK_EQUAL(f.taken.to, "planner");
      CAF_CHECK(f.answered);
    }
  CAF_CHECK_EQUAL(mayor, 2);
  CAF_CHECK(folded().fallbacks == r->fallbacks);
}

CAF_TEST(the mayor briefs the workers of a plan of several subtasks) {
  std::string yaml = plan_yaml;
  auto at = yaml.find("        - {match: \"\", reply: \"SYNTHESIS {prompt}\"}");
  CAF_REQUIRE(at != std::string::npos);
  yaml.insert(at,
              "        - {match: \"Write a short brief\", reply: \"BRIEF: name it parse_all\"}\n");
  at = yaml.find("        - {match: \"\", reply: \"GENERIC\"}");
  CAF_REQUIRE(at != std::string::npos);
  yaml.insert(at, "        - {match: \"PARSER-PART\", reply: \"PARSER-RESULT saw {prompt}\"}\n");
  std::string plain_parser = "        - {match: \"PARSER-PART\", reply: \"PARSER-RESULT\"}\n";
  yaml.erase(yaml.find(plain_parser), plain_parser.size());
  load(yaml);
  store::run_record start;
  start.header = header("build a parser");
  start.header.coordinate = true;
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
  CAF_CHECK_EQUAL(r->brief, "BRIEF: name it parse_all");
  // The worker's prompt carried the brief.
  CAF_CHECK(has(r->subtasks[0].output, "BRIEF: name it parse_all"));
  CAF_CHECK_EQUAL(folded().brief, r->brief);
  auto journaled = store::read_run(runs() / "run-1");
  CAF_REQUIRE(journaled);
  CAF_CHECK_EQUAL(journaled->brief, r->brief);
  std::vector<std::string> phases;
  for (const auto& p : r->phases)
    phases.push_back(p.name);
  CAF_CHECK_EQUAL(phases,
                  (std::vector<std::string>{"decompose", "coordinate", "execute", "synthesize"}));
}

CAF_TEST(no brief without coordination or for a single subtask) {
  load(plan_yaml);
  store::run_record start;
  start.header = header("build a parser"); // coordinate = false: --no-coordinate
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK(r->brief.empty());
  for (const auto& p : r->phases)
    CAF_CHECK_NOT_EQUAL(p.name, "coordinate");
  load(witness_yaml); // a plan of one subtask
  start.header = header("write it");
  start.header.id = "run-2";
  start.header.coordinate = true;
  r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK(r->brief.empty());
  for (const auto& p : r->phases)
    CAF_CHECK_NOT_EQUAL(p.name, "coordinate");
}

CAF_TEST(a mayor that cannot plan fails the run) {
  std::string yaml = plan_yaml;
  auto at = yaml.find("  mayor: {model: planner}");
  CAF_REQUIRE(at != std::string::npos);
  yaml.replace(at, 25, "  mayor: {model: broken}");
  load(yaml);
  store::run_record start;
  start.header = header("build a parser");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK(r->subtasks.empty());
  CAF_CHECK_EQUAL(r->status, store::run_status::failed);
  // One warning, with its cause: not "decompose failed" and then a second line.
  CAF_CHECK(said("the mayor could not plan the task, so nothing was run: "));
  CAF_CHECK(!said("decompose failed"));
  CAF_REQUIRE_EQUAL(r->warnings.size(), 1u);
  CAF_CHECK_NOT_EQUAL(r->warnings[0].find("nothing was run: "), std::string::npos);
  CAF_CHECK_GREATER(r->warnings[0].size(), std::string{"the mayor could not plan the task, so "
                                                       "nothing was run: "}
                                               .size());
}

CAF_TEST(the witness sends a weak answer back and keeps the fixed one) {
  auto r = reviewed_run(witness_yaml);
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->subtasks.size(), 1u);
  CAF_CHECK_EQUAL(r->subtasks[0].output, "FIXED-ANSWER");
  CAF_REQUIRE(r->subtasks[0].score);
  CAF_CHECK_EQUAL(*r->subtasks[0].score, 9.0);
  CAF_CHECK(said("reviewed: 3/10, sent back"));
  CAF_CHECK(said("reviewed: 9/10"));
  auto journaled = store::read_run(runs() / "run-1");
  CAF_REQUIRE(journaled);
  CAF_CHECK_EQUAL(*journaled->find(1)->score, 9.0);
}

CAF_TEST(a weak answer with no re - asks left is kept and said so) {
  load(witness_yaml);
  store::run_record start;
  start.header = header("one thing");
  auto r = complete(spawn(start, run_limits{7, 0, 600, "", 0}));
  CAF_REQUIRE(r);
  CAF_CHECK(said("reviewed: 3/10, kept (no re-asks left)"));
  CAF_CHECK(!said("sent back"));
}

CAF_TEST(a witness that fails says so and the answer stands unreviewed) {
  std::string yaml = witness_yaml;
  auto judge = yaml.find("      mode: script", yaml.find("  judge:"));
  yaml.insert(judge, "      faults: [{error: bad_request, probability: 1.0, message: \"gone\"}]\n");
  auto r = reviewed_run(yaml);
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->subtasks.size(), 1u);
  CAF_CHECK_EQUAL(r->subtasks[0].output, "FIRST-DRAFT");
  CAF_CHECK(!r->subtasks[0].score);
  CAF_CHECK(said("[1/1] review failed ("));
  CAF_CHECK(said("); kept unreviewed"));
  CAF_REQUIRE_EQUAL(r->warnings.size(), 1u); // journaled as a warning too
  CAF_CHECK(has(r->warnings[0], "gone"));
}

CAF_TEST(a synthesis that fails keeps every result) {
  // The mayor's second call (the synthesis) is refused.
  std::string yaml = plan_yaml;
  auto at = yaml.find("      mode: script");
  yaml.insert(at, "      faults: [{error: bad_request, on_calls: [2], message: \"refused\"}]\n");
  load(yaml);
  store::run_record start;
  start.header = header("build a parser");
  auto r = complete(spawn(start));
  CAF_REQUIRE(r);
  CAF_CHECK(said("warning: synthesis failed"));
  CAF_CHECK(has(r->final_output, "## 1. Write the PARSER-PART"));
  CAF_CHECK(has(r->final_output, "PARSER-RESULT"));
  CAF_CHECK(has(r->final_output, "DOCS-RESULT"));
  CAF_CHECK(!has(r->final_output, "SYNTHESIS"));
  CAF_CHECK_EQUAL(r->status, store::run_status::done);
}

CAF_TEST(the refinery polishes a run with a result and is not asked when every subtask failed) {
  // One subtask, a refinery that marks what it polished; the worker answers, then refuses.
  std::string yaml = witness_yaml;
  yaml.insert(yaml.find("models:\n"),
              "  polish:\n    type: mock\n    mock: {mode: script, script: [{match: \"\", "
              "reply: \"POLISHED\"}]}\n");
  yaml.insert(yaml.find("models:\n") + 8, "  polisher: {provider: polish, model: polisher}\n");
  yaml.replace(yaml.find("  witness: {model: judge}"), 25, "  refinery: {model: polisher}");
  auto run_once = [&](const std::string& config, const std::string& id) {
    load(config);
    store::run_record start;
    start.header = header("one thing");
    start.header.id = id;
    start.header.refine = true;
    return complete(spawn(start));
  };
  auto polished = run_once(yaml, "run-1");
  CAF_REQUIRE(polished);
  CAF_CHECK_EQUAL(polished->final_output, "POLISHED");
  auto work = yaml.find("      mode: script", yaml.find("  work:"));
  yaml.insert(work, "      faults: [{error: bad_request, probability: 1.0, message: \"no\"}]\n");
  auto failed = run_once(yaml, "run-2");
  CAF_REQUIRE(failed);
  CAF_CHECK_EQUAL(failed->status, store::run_status::failed);
  CAF_CHECK(!has(failed->final_output, "POLISHED")); // the errors, as they were
  CAF_CHECK(has(failed->final_output, "no"));
}

CAF_TEST(every subscriber gets the same events) {
  load(witness_yaml);
  store::run_record start;
  start.header = header("one thing");
  auto run = spawn(start);
  auto second = sys.spawn(collect_events);
  self->send(run, run_event_atom::value, caf::actor_cast<run_observer>(second));
  sched.run();
  auto r = complete(run);
  CAF_REQUIRE(r);
  auto& other = deref<caf::stateful_actor<events_state, run_observer::base>>(second).state.events;
  CAF_REQUIRE_EQUAL(other.size(), events().size());
  for (size_t i = 0; i < other.size(); ++i)
    CAF_CHECK_EQUAL(other[i].index(), events()[i].index());
  store::run_record theirs;
  for (const auto& e : other)
    store::apply(theirs, e);
  CAF_CHECK_EQUAL(theirs.final_output, r->final_output);
  CAF_CHECK(theirs.subtasks == r->subtasks);
  caf::anon_send_exit(second, caf::exit_reason::user_shutdown);
}

CAF_TEST_FIXTURE_SCOPE_END()
