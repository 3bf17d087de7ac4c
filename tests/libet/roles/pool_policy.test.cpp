#define CAF_SUITE libet.roles.pool_policy
#include "caf/test/unit_test.hpp"

#include "pool_policy_test.hpp"

// Which ready job goes to which member: concurrency, benching, reserves, lanes,
// dependencies, cancel, budgets and the order outcomes are delivered in.

using namespace pool_policy_test;

CAF_TEST(a free member takes the lowest numbered ready job first) {
  harness h;
  auto first = h.start(exec_of({job_of(3), job_of(1), job_of(2)}, {{"a", 1}}));
  CAF_CHECK_EQUAL(numbers(first), (std::vector<int>{1}));
  CAF_CHECK_EQUAL(numbers(h.answer(1, "one")), (std::vector<int>{2}));
  CAF_CHECK_EQUAL(numbers(h.answer(2, "two")), (std::vector<int>{3}));
  CAF_CHECK(h.done.empty());
  h.answer(3, "three");
  CAF_CHECK_EQUAL(h.outcomes().size(), 3u);
  CAF_CHECK(!h.policy.running());
}

CAF_TEST(a member takes at most its concurrency and the least busy member goes first) {
  harness h;
  auto first = h.start(exec_of({job_of(1), job_of(2), job_of(3), job_of(4)}, {{"a", 1}, {"b", 2}}));
  CAF_CHECK_EQUAL(targets(first), (std::vector<std::string>{"a", "b", "b"}));
  CAF_CHECK_EQUAL(numbers(first), (std::vector<int>{1, 2, 3}));
  // Job 4 waits until someone is free; then it goes to whoever freed up.
  auto next = h.answer(3, "three");
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0].number, 4);
  CAF_CHECK_EQUAL(next[0].target, "b");
}

CAF_TEST(a member that failed twice in a row is benched while a healthy untried member remains) {
  harness h;
  h.start(exec_of({job_of(1), job_of(2), job_of(3), job_of(4)}, {{"bad", 1}, {"good", 1}}));
  CAF_CHECK_EQUAL(h.last_target(1), "bad");
  CAF_CHECK_EQUAL(h.last_target(2), "good");
  // Job 1 waits for good; job 3 may still try bad, which has failed only once.
  CAF_CHECK_EQUAL(targets(h.fail(1)), (std::vector<std::string>{"bad"}));
  // The second failure in a row benches bad: nothing more goes to it.
  CAF_CHECK(h.fail(3).empty());
  // good frees up three times: jobs 1, 3 and 4 follow each other onto it.
  CAF_CHECK_EQUAL(numbers(h.answer(2, "fine")), (std::vector<int>{1}));
  CAF_CHECK_EQUAL(numbers(h.answer(1, "fine")), (std::vector<int>{3}));
  CAF_CHECK_EQUAL(numbers(h.answer(3, "fine")), (std::vector<int>{4}));
  h.answer(4, "fine");
  CAF_REQUIRE_EQUAL(h.sent.size(), 6u); // bad had jobs 1 and 3, no more
  for (size_t i = 3; i < h.sent.size(); ++i)
    CAF_CHECK_EQUAL(h.sent[i].target, "good");
  for (const auto& o : h.outcomes()) {
    CAF_CHECK(o.result.ok);
    CAF_CHECK_EQUAL(o.member, "good");
  }
}

CAF_TEST(a benched member still takes a job that has no healthy member left to try) {
  harness h;
  h.start(exec_of({job_of(1), job_of(2), job_of(3)}, {{"x", 1}, {"y", 1}}));
  h.fail(1); // x: one failure; job 3 goes to x
  CAF_CHECK_EQUAL(h.last_target(3), "x");
  h.fail(3); // x: benched
  // y fails job 2: job 1 takes y, and job 2's only untried member is the benched x.
  auto next = h.fail(2);
  CAF_REQUIRE_EQUAL(next.size(), 2u);
  CAF_CHECK_EQUAL(next[0].number, 1);
  CAF_CHECK_EQUAL(next[0].target, "y");
  CAF_CHECK_EQUAL(next[1].number, 2);
  CAF_CHECK_EQUAL(next[1].target, "x");
}

CAF_TEST(after every member the reserves are tried in order then the job fails) {
  harness h;
  h.start(exec_of({job_of(1)}, {{"m1", 1}, {"m2", 1}}, {"r1", "r2"}));
  CAF_CHECK_EQUAL(targets(h.fail(1)), (std::vector<std::string>{"m2"}));
  CAF_CHECK_EQUAL(targets(h.fail(1)), (std::vector<std::string>{"r1"}));
  CAF_CHECK_EQUAL(targets(h.fail(1)), (std::vector<std::string>{"r2"}));
  CAF_CHECK(h.fail(1, errc::timeout, "r2 timed out").empty());
  const auto& lost = h.outcomes().at(0);
  CAF_CHECK(!lost.result.ok);
  CAF_CHECK_EQUAL(lost.attempts, 4);
  CAF_CHECK(has(lost.result.error, "every member and fallback"));
  CAF_CHECK(has(lost.result.error, "r2 timed out"));
  CAF_CHECK(!lost.cancelled);
}

CAF_TEST(reserves take any number of jobs at once) {
  harness h;
  h.start(exec_of({job_of(1), job_of(2), job_of(3)}, {}, {"r1"}));
  CAF_CHECK_EQUAL(targets(h.sent), (std::vector<std::string>{"r1", "r1", "r1"}));
}

CAF_TEST(an empty answer is a failed attempt on that member) {
  harness h;
  h.start(exec_of({job_of(1)}, {{"a", 1}, {"b", 1}}));
  auto next = h.answer(1, "");
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0].target, "b"); // not "a" again
  CAF_REQUIRE(!h.events.empty());
  auto failed = std::get_if<progress::attempt_failed>(&h.events[1].event);
  CAF_REQUIRE(failed != nullptr);
  CAF_CHECK_EQUAL(failed->member, "a");
  CAF_CHECK(has(failed->error, "empty answer"));
}

CAF_TEST(specialist jobs go to their own lane) {
  harness h;
  auto e = exec_of({job_of(1), job_of(2, {}, "security"), job_of(3, {}, "nobody")}, {{"a", 2}});
  e.lanes.push_back(lane{"security", "polecat", {{"sec", 1}}, {}, "You audit code."});
  auto first = h.start(std::move(e));
  CAF_REQUIRE_EQUAL(first.size(), 3u);
  CAF_CHECK_EQUAL(first[1].target, "sec");
  CAF_CHECK_EQUAL(first[1].lane, 1u);
  CAF_CHECK_EQUAL(first[2].target, "a"); // an unknown specialist runs in the worker lane
  CAF_CHECK_EQUAL(h.policy.lanes()[first[1].lane].system_prompt, "You audit code.");
}

CAF_TEST(dependents wait and receive the results of their dependencies) {
  harness h;
  auto e = exec_of({job_of(2, {1}), job_of(3, {1, 2})}, {{"a", 4}});
  e.finished.push_back(worker_result{1, "subtask-1", "EARLIER", true, ""});
  auto first = h.start(std::move(e));
  CAF_REQUIRE_EQUAL(numbers(first), (std::vector<int>{2})); // 3 waits for 2
  CAF_REQUIRE_EQUAL(first[0].order.dependencies.size(), 1u);
  CAF_CHECK_EQUAL(first[0].order.dependencies[0].output, "EARLIER");
  auto next = h.answer(2, "SECOND");
  CAF_REQUIRE_EQUAL(numbers(next), (std::vector<int>{3}));
  CAF_REQUIRE_EQUAL(next[0].order.dependencies.size(), 2u);
  CAF_CHECK_EQUAL(next[0].order.dependencies[1].output, "SECOND");
  CAF_CHECK_EQUAL(next[0].order.task, "the task");
}

CAF_TEST(each worker receives the excerpts retrieved for its own subtask) {
  harness h;
  auto one = job_of(1);
  one.context = "--- a.cpp:1-2\nONE\n";
  auto first = h.start(exec_of({one, job_of(2)}, {{"a", 2}}));
  CAF_REQUIRE_EQUAL(first.size(), 2u);
  CAF_CHECK_EQUAL(first[0].order.context, "--- a.cpp:1-2\nONE\n");
  CAF_CHECK_EQUAL(first[1].order.context, "");
}

CAF_TEST(a failed dependency fails its dependents without running them) {
  harness h;
  h.start(exec_of({job_of(1), job_of(2, {1}), job_of(3, {2})}, {{"a", 1}}));
  CAF_CHECK(h.fail(1, errc::bad_request).empty());
  CAF_CHECK_EQUAL(h.sent.size(), 1u);
  const auto& out = h.outcomes();
  CAF_CHECK(has(out[1].result.error, "depends on subtask 1"));
  CAF_CHECK(has(out[2].result.error, "depends on subtask 2"));
}

CAF_TEST(jobs that wait on each other fail instead of waiting forever) {
  harness h;
  h.start(exec_of({job_of(1, {2}), job_of(2, {1}), job_of(3)}, {{"a", 1}}));
  CAF_CHECK_EQUAL(numbers(h.sent), (std::vector<int>{3}));
  h.answer(3, "three");
  const auto& out = h.outcomes();
  CAF_CHECK(has(out[0].result.error, "cycle"));
  CAF_CHECK(has(out[1].result.error, "cycle") || has(out[1].result.error, "depends on"));
  CAF_CHECK(out[2].result.ok);
}

CAF_TEST(cancel keeps finished and reviewed answers and cancels the rest) {
  harness h;
  auto e = exec_of({job_of(1), job_of(2), job_of(3), job_of(4, {3})}, {{"a", 1}, {"b", 1}});
  e.review = review_policy{true, 7, 2};
  h.start(std::move(e));
  h.answer(1, "kept");
  h.review(1, 9);           // job 1 is over; job 3 took a when it answered
  h.answer(2, "in review"); // job 2 waits for the witness
  auto stop = h.policy.cancel();
  h.take(std::move(stop));
  const auto& out = h.outcomes();
  CAF_REQUIRE_EQUAL(out.size(), 4u);
  CAF_CHECK_EQUAL(out[0].result.output, "kept");
  CAF_CHECK_EQUAL(out[1].result.output, "in review");
  CAF_CHECK(!out[1].cancelled);
  CAF_CHECK(out[2].cancelled && !out[2].result.ok);
  CAF_CHECK(out[3].cancelled && !out[3].result.ok);
  // Late replies change nothing and start nothing.
  CAF_CHECK(h.answer(3, "late").empty());
  CAF_CHECK(h.take(h.policy.reviewed(2, 1, "late")).empty());
  CAF_CHECK_EQUAL(h.done.size(), 1u);
}

CAF_TEST(a budget refusal moves the job to another member and fails it when none fits) {
  harness h;
  h.start(exec_of({job_of(1), job_of(2)}, {{"dear", 1}, {"cheap", 1}}));
  // The dear member's worst case does not fit: the job goes to the cheap one when it is free.
  auto moved = h.fail(1, errc::budget_exceeded, "per_run budget $1.05 would be exceeded");
  CAF_CHECK(moved.empty()); // cheap is busy with job 2
  auto next = h.answer(2, "two");
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0].number, 1);
  CAF_CHECK_EQUAL(next[0].target, "cheap");
  h.answer(1, "one");
  const auto& out = h.outcomes();
  CAF_CHECK(out[0].result.ok);
  CAF_CHECK(out[1].result.ok);
  // Where no member fits, the job fails with the budget's words; others are still asked.
  harness none;
  none.start(exec_of({job_of(1), job_of(2)}, {{"dear", 1}}));
  none.fail(1, errc::budget_exceeded, "per_run budget $0.01 would be exceeded");
  none.fail(2, errc::budget_exceeded, "per_run budget $0.01 would be exceeded");
  const auto& failed = none.outcomes();
  CAF_CHECK(has(failed[0].result.error, "per_run budget"));
  CAF_CHECK(has(failed[1].result.error, "per_run budget"));
  CAF_CHECK(!failed[1].cancelled);
}

CAF_TEST(budget refusals do not bench a member the way failures do) {
  harness h;
  h.start(exec_of({job_of(1), job_of(2), job_of(3), job_of(4)}, {{"dear", 1}, {"cheap", 1}}));
  CAF_CHECK_EQUAL(h.last_target(1), "dear");
  CAF_CHECK_EQUAL(h.last_target(2), "cheap");
  auto refused = [&](int n) { return h.fail(n, errc::budget_exceeded, "per_run budget"); };
  CAF_CHECK_EQUAL(targets(refused(1)), (std::vector<std::string>{"dear"})); // job 3
  // Two refusals in a row: where failures bench, job 4 (a smaller one, say) still goes to dear.
  auto next = refused(3);
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0].number, 4);
  CAF_CHECK_EQUAL(next[0].target, "dear");
}

CAF_TEST(outcomes come in subtask order whatever order the answers came in) {
  harness h;
  h.start(exec_of({job_of(1), job_of(2), job_of(3)}, {{"a", 3}}));
  h.answer(3, "C");
  h.answer(1, "A");
  h.answer(2, "B");
  const auto& out = h.outcomes();
  CAF_REQUIRE_EQUAL(out.size(), 3u);
  CAF_CHECK_EQUAL(out[0].result.output, "A");
  CAF_CHECK_EQUAL(out[1].result.output, "B");
  CAF_CHECK_EQUAL(out[2].result.output, "C");
  CAF_CHECK_EQUAL(out[2].member, "a");
}

CAF_TEST(progress names the member and the attempt and ends with the outcome) {
  harness h;
  h.start(exec_of({job_of(1)}, {{"a", 1}, {"b", 1}}));
  h.fail(1, errc::server_error, "boom");
  h.answer(1, "ok");
  CAF_REQUIRE_EQUAL(h.events.size(), 4u);
  auto* first = std::get_if<progress::assigned>(&h.events[0].event);
  auto* failed = std::get_if<progress::attempt_failed>(&h.events[1].event);
  auto* second = std::get_if<progress::assigned>(&h.events[2].event);
  auto* finished = std::get_if<progress::finished>(&h.events[3].event);
  CAF_REQUIRE(first && failed && second && finished);
  CAF_CHECK_EQUAL(first->member, "a");
  CAF_CHECK_EQUAL(failed->error, "boom");
  CAF_CHECK_EQUAL(second->member, "b");
  CAF_CHECK_EQUAL(second->attempt, 2);
  CAF_CHECK_EQUAL(finished->outcome.member, "b");
  CAF_CHECK(h.events[3].kind() == progress_kind::finished);
}

CAF_TEST(an execution without jobs is over at once) {
  harness h;
  h.start(exec_of({}, {{"a", 1}}));
  CAF_CHECK(h.outcomes().empty());
}

CAF_TEST(a job that prefers a member waits for it and moves on only when it fails) {
  harness h;
  auto busy = job_of(1);
  auto again = job_of(2);
  again.member = "a"; // a re-ask: back to the worker that wrote the answer
  auto first = h.start(exec_of({busy, again}, {{"a", 1}, {"b", 1}}));
  // b is free, but job 2 waits for a.
  CAF_CHECK_EQUAL(targets(first), (std::vector<std::string>{"a"}));
  auto next = h.answer(1, "one");
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0].number, 2);
  CAF_CHECK_EQUAL(next[0].target, "a");
  // When the preferred member fails it, any other member takes it.
  auto moved = h.fail(2);
  CAF_REQUIRE_EQUAL(moved.size(), 1u);
  CAF_CHECK_EQUAL(moved[0].target, "b");
}
