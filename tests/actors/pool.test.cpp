#define CAF_SUITE actors.pool
#define FAIL(msg) CAF_FAIL(msg)
#include "pool_test.hpp"

// The pool: dispatch to members, failures and reserves, dependencies.
// Re-asks, cancel, budgets and lanes are in pool_review.test.cpp.

using namespace pool_test;

CAF_TEST_FIXTURE_SCOPE(pool_tests, fixture)

CAF_TEST(members take at most their concurrency and a free member takes the next job) {
  make_pool();
  auto rh = self->request(
      pool, caf::infinite, execute_atom::value,
      exec_of({job_of(1), job_of(2), job_of(3), job_of(4), job_of(5)}, {{"a", 1}, {"b", 2}}));
  sched.run();
  CAF_CHECK_EQUAL(open_on("a"), 1u);
  CAF_CHECK_EQUAL(open_on("b"), 2u);
  // b finishes first: it takes the next waiting job at once, a still has one.
  answer("b", "B1");
  CAF_CHECK_EQUAL(open_on("b"), 2u);
  CAF_CHECK_EQUAL(open_on("a"), 1u);
  CAF_CHECK(has(prompt_on("b"), "subtask-3") || has(prompt_on("b"), "subtask-4"));
  answer("a", "A1");
  answer("b", "B2");
  answer("b", "B3");
  answer("a", "A2");
  CAF_CHECK_EQUAL(fake().open.size(), 0u);
  sched.run();
  std::vector<roles::subtask_outcome> out;
  rh.receive([&](std::vector<roles::subtask_outcome>& o) { out = std::move(o); },
             [&](caf::error& e) { CAF_FAIL(to_string(from_caf(e))); });
  CAF_REQUIRE_EQUAL(out.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    CAF_CHECK_EQUAL(out[i].result.number, i + 1);
    CAF_CHECK(out[i].result.ok);
    CAF_CHECK_EQUAL(out[i].attempts, 1);
  }
  // Completion order differed from subtask order; the outcomes follow the subtasks.
  CAF_CHECK_EQUAL(out[0].member, "a");
  CAF_CHECK_EQUAL(out[0].result.output, "A1");
  CAF_CHECK_EQUAL(out[1].result.output, "B1");
  CAF_CHECK_EQUAL(out[0].tokens.completion_tokens, 10);
}

CAF_TEST(a failing member loses its work to the others and is benched after two failures) {
  make_pool();
  auto rh = self->request(
      pool, caf::infinite, execute_atom::value,
      exec_of({job_of(1), job_of(2), job_of(3), job_of(4)}, {{"bad", 1}, {"good", 1}}));
  sched.run();
  fail("bad", errc::server_error);
  fail("bad", errc::server_error);
  // Benched: the remaining work waits for "good" rather than going to "bad".
  CAF_CHECK_EQUAL(open_on("bad"), 0u);
  for (int i = 0; i < 4; ++i)
    answer("good", "G" + std::to_string(i));
  sched.run();
  std::vector<roles::subtask_outcome> out;
  rh.receive([&](std::vector<roles::subtask_outcome>& o) { out = std::move(o); },
             [&](caf::error& e) { CAF_FAIL(to_string(from_caf(e))); });
  CAF_REQUIRE_EQUAL(out.size(), 4u);
  size_t to_bad = 0;
  for (const auto& r : fake().received)
    to_bad += r.target == "bad";
  CAF_CHECK_EQUAL(to_bad, 2u);
  for (const auto& o : out) {
    CAF_CHECK(o.result.ok);
    CAF_CHECK_EQUAL(o.member, "good");
  }
  CAF_CHECK_EQUAL(out[0].attempts, 2);
}

CAF_TEST(when every member fails the reserves are tried in order then the job fails) {
  make_pool();
  auto rh = self->request(pool, caf::infinite, execute_atom::value,
                          exec_of({job_of(1), job_of(2)}, {{"m1", 1}, {"m2", 1}}, {"r1", "r2"}));
  sched.run();
  fail("m1", errc::overloaded);
  fail("m2", errc::overloaded);
  // Each job moves to the member it has not tried.
  fail("m2", errc::overloaded);
  fail("m1", errc::overloaded);
  CAF_CHECK_EQUAL(open_on("r1"), 2u);
  answer("r1", "saved by r1");
  fail("r1", errc::timeout);
  fail("r2", errc::timeout, "r2 timed out");
  sched.run();
  std::vector<roles::subtask_outcome> out;
  rh.receive([&](std::vector<roles::subtask_outcome>& o) { out = std::move(o); },
             [&](caf::error& e) { CAF_FAIL(to_string(from_caf(e))); });
  CAF_REQUIRE_EQUAL(out.size(), 2u);
  CAF_CHECK(out[0].result.ok != out[1].result.ok);
  auto& saved = out[0].result.ok ? out[0] : out[1];
  auto& lost = out[0].result.ok ? out[1] : out[0];
  CAF_CHECK_EQUAL(saved.member, "r1");
  CAF_CHECK_EQUAL(saved.attempts, 3);
  CAF_CHECK_EQUAL(lost.attempts, 4);
  CAF_CHECK(has(lost.result.error, "every member and fallback"));
  CAF_CHECK(has(lost.result.error, "r2 timed out"));
  CAF_CHECK(!lost.cancelled);
}

CAF_TEST(dependents wait for their dependencies and receive their results) {
  make_pool();
  start(exec_of({job_of(1), job_of(2, {1}), job_of(3, {2}), job_of(4)}, {{"a", 4}}));
  CAF_CHECK_EQUAL(open_on("a"), 2u); // 1 and 4; 2 and 3 wait
  answer("a", "FIRST-RESULT");
  CAF_CHECK_EQUAL(open_on("a"), 2u); // 4 and 2
  bool found = false;
  for (const auto& p : fake().open)
    if (has(p.req.request.messages.back().content, "subtask-2")) {
      found = true;
      CAF_CHECK(has(p.req.request.messages.back().content, "FIRST-RESULT"));
    }
  CAF_CHECK(found);
  // 4 fails for good (no reserves): 2 and 3 do not depend on it.
  fail("a", errc::bad_request);
  answer("a", "SECOND");
  answer("a", "THIRD");
  CAF_REQUIRE(took_reply());
  CAF_REQUIRE_EQUAL(outcomes.size(), 4u);
  CAF_CHECK(outcomes[2].result.ok);
  CAF_CHECK(!outcomes[3].result.ok);
}

CAF_TEST(a failed dependency fails its dependents without running them) {
  make_pool();
  start(exec_of({job_of(1), job_of(2, {1}), job_of(3, {2})}, {{"a", 1}}));
  fail("a", errc::bad_request);
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(fake().received.size(), 1u);
  CAF_CHECK(has(outcomes[1].result.error, "depends on subtask 1"));
  CAF_CHECK(has(outcomes[2].result.error, "depends on subtask 2"));
}

CAF_TEST(earlier results satisfy dependencies of a resumed run) {
  make_pool();
  auto e = exec_of({job_of(2, {1})}, {{"a", 1}});
  e.finished.push_back(roles::worker_result{1, "subtask-1", "EARLIER", true, ""});
  start(std::move(e));
  CAF_CHECK(has(prompt_on("a"), "EARLIER"));
  answer("a", "done");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
