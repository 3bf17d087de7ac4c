#define CAF_SUITE libet.roles.pool_policy_review
#include "caf/test/unit_test.hpp"

#include "pool_policy_test.hpp"

// A reviewed answer: a low score sends it back with the note, up to the re-ask
// limit; a repeated answer or a failed review keeps it.

using namespace pool_policy_test;

CAF_TEST(a low score sends the answer back with the note and a passing one ends the job) {
  harness h;
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.review = review_policy{true, 7, 2};
  h.start(std::move(e));
  CAF_CHECK(h.answer(1, "draft one").empty());
  CAF_REQUIRE_EQUAL(h.reviews.size(), 1u);
  CAF_CHECK_EQUAL(h.reviews[0].request.output, "draft one");
  auto again = h.review(1, 3, "handle empty input");
  CAF_REQUIRE_EQUAL(again.size(), 1u);
  CAF_CHECK_EQUAL(again[0].order.previous, "draft one");
  CAF_CHECK_EQUAL(again[0].order.feedback, "handle empty input");
  h.answer(1, "draft two");
  CAF_CHECK(h.review(1, 7).empty()); // the threshold itself passes
  const auto& o = h.outcomes().at(0);
  CAF_CHECK_EQUAL(o.result.output, "draft two");
  CAF_CHECK_EQUAL(o.reasks, 1);
  CAF_CHECK_EQUAL(o.score, 7.0);
  CAF_CHECK_EQUAL(o.tokens.completion_tokens, 20);
  CAF_CHECK_EQUAL(o.usd, 1.0);
}

CAF_TEST(re - asks stop at the limit) {
  harness h;
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.review = review_policy{true, 7, 1};
  h.start(std::move(e));
  h.answer(1, "v1");
  CAF_CHECK_EQUAL(h.review(1, 2).size(), 1u);
  h.answer(1, "v2");
  CAF_CHECK(h.review(1, 3).empty());
  const auto& o = h.outcomes().at(0);
  CAF_CHECK_EQUAL(o.result.output, "v2");
  CAF_CHECK_EQUAL(o.reasks, 1);
  CAF_CHECK(o.result.ok);
  // The observer hears which review sent the answer back and which one kept it.
  std::vector<bool> sent_back;
  for (const auto& p : h.events)
    if (auto* r = std::get_if<progress::reviewed>(&p.event))
      sent_back.push_back(r->sent_back);
  CAF_CHECK_EQUAL(sent_back, (std::vector<bool>{true, false}));
}

CAF_TEST(an answer that repeats the one sent back is kept without another review) {
  harness h;
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.review = review_policy{true, 7, 5};
  h.start(std::move(e));
  h.answer(1, "same");
  h.review(1, 2);
  h.answer(1, "same");
  CAF_CHECK_EQUAL(h.reviews.size(), 1u);
  CAF_CHECK_EQUAL(h.outcomes().at(0).result.output, "same");
}

CAF_TEST(a failed review keeps the answer) {
  harness h;
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.review = review_policy{true, 7, 2};
  h.start(std::move(e));
  h.answer(1, "work");
  h.take(h.policy.review_failed(1, "witness down"));
  const auto& o = h.outcomes().at(0);
  CAF_CHECK(o.result.ok);
  CAF_CHECK(!o.scored);
  CAF_CHECK(has(o.note, "witness down"));
}

CAF_TEST(a review re - ask that no member answers keeps the reviewed answer) {
  harness h;
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.review = review_policy{true, 7, 2};
  h.start(std::move(e));
  h.answer(1, "reviewed draft");
  h.review(1, 3);
  h.fail(1, errc::server_error, "upstream broke"); // the only member: nobody else to ask
  const auto& o = h.outcomes().at(0);
  CAF_CHECK(o.result.ok);
  CAF_CHECK_EQUAL(o.result.output, "reviewed draft");
  CAF_CHECK_EQUAL(o.member, "a");
  CAF_CHECK(has(o.reask_failed, "upstream broke"));
}

CAF_TEST(a cancel during a review re - ask keeps the reviewed answer) {
  harness h;
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.review = review_policy{true, 7, 2};
  h.start(std::move(e));
  h.answer(1, "reviewed draft");
  h.review(1, 3);
  h.take(h.policy.cancel());
  const auto& o = h.outcomes().at(0);
  CAF_CHECK(o.result.ok);
  CAF_CHECK(!o.cancelled); // done: a resume does not run it again
  CAF_CHECK_EQUAL(o.result.output, "reviewed draft");
  CAF_CHECK_EQUAL(o.reask_failed, "cancelled");
}

CAF_TEST(a fix that fails or is cancelled keeps the answer it was to fix) {
  for (bool cancel : {false, true}) {
    harness h;
    auto fix = job_of(1);
    fix.previous = "the earlier answer";
    fix.feedback = "make check failed";
    h.start(exec_of({fix, job_of(2)}, {{"a", 2}}));
    if (cancel)
      h.take(h.policy.cancel());
    else
      h.fail(1, errc::budget_exceeded, "budget per_run would be exceeded");
    if (!cancel)
      h.answer(2, "two");
    const auto& out = h.outcomes();
    CAF_CHECK(out[0].result.ok);
    CAF_CHECK_EQUAL(out[0].result.output, "the earlier answer");
    CAF_CHECK(!out[0].reask_failed.empty());
    CAF_CHECK_EQUAL(out[1].result.ok, !cancel); // a first run has nothing to keep
  }
}
