#define CAF_SUITE actors.pool_review
#define FAIL(msg) CAF_FAIL(msg)
#include "pool_test.hpp"

// The pool: witness re-asks, fresh workers, cancel, budgets, specialist lanes.

using namespace pool_test;

CAF_TEST_FIXTURE_SCOPE(pool_review_tests, fixture)

CAF_TEST(low scores send the answer back with the note until it passes) {
  make_pool(false, true);
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.review = roles::review_policy{true, 7, 2};
  start(std::move(e));
  answer("a", "draft one");
  answer("", "SCORE: 3/10\n- handle empty input", "witness");
  // The re-ask carries the earlier answer and the note.
  CAF_CHECK(has(prompt_on("a"), "draft one"));
  CAF_CHECK(has(prompt_on("a"), "handle empty input"));
  answer("a", "draft two");
  answer("", "SCORE: 9/10\n- fine", "witness");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes[0].result.output, "draft two");
  CAF_CHECK_EQUAL(outcomes[0].reasks, 1);
  CAF_CHECK(outcomes[0].scored);
  CAF_CHECK_EQUAL(outcomes[0].score, 9.0);
  CAF_CHECK_EQUAL(outcomes[0].tokens.completion_tokens, 20);
}

CAF_TEST(re - asks stop at the limit and when an answer repeats) {
  make_pool(false, true);
  auto e = exec_of({job_of(1), job_of(2)}, {{"a", 2}});
  e.review = roles::review_policy{true, 7, 1};
  start(std::move(e));
  answer("a", "same");
  answer("a", "other");
  answer("", "SCORE: 2/10\n- wrong", "witness");
  answer("", "SCORE: 2/10\n- wrong", "witness");
  answer("a", "same");     // job 1 repeats itself: accepted without another review
  answer("a", "other v2"); // job 2 is reviewed once more, then the limit holds
  answer("", "SCORE: 4/10\n- still wrong", "witness");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes[0].result.output, "same");
  CAF_CHECK_EQUAL(outcomes[1].result.output, "other v2");
  CAF_CHECK_EQUAL(outcomes[1].score, 4.0);
  CAF_CHECK_EQUAL(outcomes[1].reasks, 1);
  CAF_CHECK(outcomes[1].result.ok);
}

CAF_TEST(a reviewed dependency releases its dependents) {
  make_pool(false, true);
  auto e = exec_of({job_of(1), job_of(2, {1})}, {{"a", 1}, {"b", 1}});
  e.review = roles::review_policy{true, 7, 2};
  start(std::move(e));
  answer("a", "base");
  answer("", "SCORE: 9/10\n- good", "witness");
  // Job 2 starts as soon as the review of job 1 passed.
  CAF_CHECK_EQUAL(open_on("a") + open_on("b"), 1u);
  answer(open_on("a") ? "a" : "b", "built on base");
  answer("", "SCORE: 9/10\n- good", "witness");
  CAF_REQUIRE(took_reply());
  CAF_CHECK(outcomes[1].result.ok);
}

CAF_TEST(a second execution on the same pool runs on fresh workers) {
  make_pool();
  start(exec_of({job_of(1)}, {{"a", 1}}));
  answer("a", "first");
  CAF_REQUIRE(took_reply());
  replied = false;
  // A fix round: the same subtask again, with the earlier answer and feedback.
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.jobs[0].previous = "first";
  e.jobs[0].feedback = "the verify command failed";
  start(std::move(e));
  CAF_CHECK(has(prompt_on("a"), "the verify command failed"));
  answer("a", "second");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes[0].result.output, "second");
}

CAF_TEST(cancel keeps finished work and marks the rest cancelled) {
  make_pool(true);
  start(exec_of({job_of(1), job_of(2), job_of(3), job_of(4, {3})}, {{"a", 1}, {"b", 1}}));
  answer("a", "kept");
  self->send(pool, cancel_atom::value);
  sched.run();
  CAF_REQUIRE(took_reply());
  CAF_REQUIRE_EQUAL(outcomes.size(), 4u);
  CAF_CHECK(outcomes[0].result.ok);
  CAF_CHECK_EQUAL(outcomes[0].result.output, "kept");
  for (int i = 1; i < 4; ++i) {
    CAF_CHECK(!outcomes[i].result.ok);
    CAF_CHECK(outcomes[i].cancelled);
  }
  auto& events = deref<caf::stateful_actor<watcher_state, progress_sink::base>>(observer).state;
  size_t finished = 0;
  for (const auto& p : events.events)
    finished += p.kind() == roles::progress_kind::finished;
  CAF_CHECK_EQUAL(finished, 4u);
}

CAF_TEST(a budget refusal fails only the job no member can afford and keeps what finished) {
  make_pool();
  start(exec_of({job_of(1), job_of(2), job_of(3)}, {{"a", 1}}));
  answer("a", "one");
  fail("a", errc::budget_exceeded, "budget per_run of $0.01 would be exceeded");
  answer("a", "three"); // a smaller job may still fit: it is asked
  CAF_REQUIRE(took_reply());
  CAF_CHECK(outcomes[0].result.ok);
  CAF_CHECK(has(outcomes[1].result.error, "budget"));
  CAF_CHECK(outcomes[2].result.ok);
  CAF_CHECK_EQUAL(fake().received.size(), 3u);
}

CAF_TEST(specialist jobs go to their lane and progress is reported) {
  make_pool(true);
  auto e = exec_of({job_of(1), job_of(2, {}, "security")}, {{"a", 1}});
  e.lanes.push_back(roles::lane{"security", "polecat", {{"sec", 1}}, {}, "You audit code."});
  start(std::move(e));
  CAF_CHECK_EQUAL(open_on("a"), 1u);
  CAF_CHECK_EQUAL(open_on("sec"), 1u);
  CAF_CHECK(has(prompt_on("sec"), "subtask-2"));
  // The specialist speaks with its own system prompt, the worker lane with the role's.
  CAF_CHECK_EQUAL(system_on("sec"), "You audit code.");
  CAF_CHECK(!system_on("a").empty() && system_on("a") != "You audit code.");
  answer("sec", "audited");
  answer("a", "built");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes[1].member, "sec");
  auto& events = deref<caf::stateful_actor<watcher_state, progress_sink::base>>(observer).state;
  CAF_REQUIRE(!events.events.empty());
  CAF_CHECK(events.events.front().kind() == roles::progress_kind::assigned);
  CAF_CHECK(events.events.back().kind() == roles::progress_kind::finished);
}

CAF_TEST(lanes come from the config with reserves after the pool) {
  config::settings s;
  config::role polecat;
  polecat.model = "w1";
  polecat.fallbacks = {"w9", "w1"};
  polecat.pool = {{"w1", 2}, {"w2", 0}};
  s.roles["polecat"] = polecat;
  config::role sec;
  sec.model = "auditor";
  sec.system_prompt = "You audit code.";
  s.specialists["security"] = sec;
  auto lanes = roles::plan_lanes(s, "polecat", 3);
  CAF_REQUIRE_EQUAL(lanes.size(), 2u);
  CAF_CHECK_EQUAL(lanes[0].members, (std::vector<roles::member_spec>{{"w1", 2}, {"w2", 1}}));
  CAF_CHECK_EQUAL(lanes[0].reserves, (std::vector<std::string>{"w9"}));
  CAF_CHECK_EQUAL(lanes[1].members, (std::vector<roles::member_spec>{{"auditor", 3}}));
  CAF_CHECK_EQUAL(lanes[0].system_prompt, ""); // the role's (here the built-in one)
  CAF_CHECK_EQUAL(lanes[1].system_prompt, "You audit code.");
  CAF_CHECK_EQUAL(roles::lane_for(lanes, "security"), 1u);
  CAF_CHECK_EQUAL(roles::lane_for(lanes, "nobody"), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
