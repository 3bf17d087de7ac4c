#define CAF_SUITE libet.roles.pool_fallbacks
#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "et/roles/pool_policy.hpp"

// A job that a member fails and another member or a reserve answers records
// the fallback, with its typed reason, in its outcome.

using namespace et;
using namespace et::roles;

namespace {

execution exec_of(int jobs, std::vector<member_spec> members, std::vector<std::string> reserves) {
  execution e;
  e.task = "the task";
  for (int n = 1; n <= jobs; ++n)
    e.jobs.push_back(job{plan::subtask{n, "subtask-" + std::to_string(n), {}, {}}, {}, {}, {}, {}});
  e.lanes.push_back(lane{"", "polecat", std::move(members), std::move(reserves), ""});
  return e;
}

attempt_answer answer(std::string text) {
  attempt_answer a;
  a.content = std::move(text);
  a.provider = "fake";
  return a;
}

// The outcomes once delivered (none: an empty list).
std::vector<subtask_outcome> outcomes_in(const pool_commands& commands) {
  for (const auto& c : commands)
    if (auto* d = std::get_if<deliver_outcomes>(&c))
      return d->outcomes;
  return {};
}

} // namespace

CAF_TEST(a member refused then another answering is one fallback with the typed reason) {
  pool_policy p;
  p.start(exec_of(1, {{"claude-sonnet", 1}, {"gpt4o", 1}}, {}));
  p.attempt_failed(1, errc::auth, "invalid x-api-key", 401);
  auto out = outcomes_in(p.answered(1, answer("done")));
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK_EQUAL(out[0].member, "gpt4o");
  CAF_REQUIRE_EQUAL(out[0].fallbacks.size(), 1u);
  const auto& f = out[0].fallbacks[0];
  CAF_CHECK_EQUAL(f.from, "claude-sonnet");
  CAF_CHECK_EQUAL(f.to, "gpt4o");
  CAF_CHECK_EQUAL(f.reason, errc::auth);
  CAF_CHECK_EQUAL(f.http_status, 401);
  CAF_CHECK_EQUAL(f.message, "invalid x-api-key");
  CAF_CHECK_EQUAL(describe(f, true), "claude-sonnet: 401 authentication failed; answered by gpt4o");
}

CAF_TEST(members then reserves each name the next one tried) {
  pool_policy p;
  p.start(exec_of(1, {{"a", 1}}, {"r1", "r2"}));
  p.attempt_failed(1, errc::rate_limited, "slow down", 429);
  p.attempt_failed(1, errc::context_overflow, "too long");
  auto out = outcomes_in(p.answered(1, answer("done")));
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_REQUIRE_EQUAL(out[0].fallbacks.size(), 2u);
  CAF_CHECK_EQUAL(out[0].fallbacks[0].from, "a");
  CAF_CHECK_EQUAL(out[0].fallbacks[0].to, "r1");
  CAF_CHECK_EQUAL(out[0].fallbacks[0].reason, errc::rate_limited);
  CAF_CHECK_EQUAL(out[0].fallbacks[1].from, "r1");
  CAF_CHECK_EQUAL(out[0].fallbacks[1].to, "r2");
  CAF_CHECK_EQUAL(out[0].fallbacks[1].reason, errc::context_overflow);
}

CAF_TEST(the failure that ends a job is not a fallback) {
  pool_policy p;
  p.start(exec_of(1, {{"a", 1}, {"b", 1}}, {}));
  p.attempt_failed(1, errc::auth, "no");
  auto out = outcomes_in(p.attempt_failed(1, errc::auth, "no either"));
  CAF_REQUIRE_EQUAL(out.size(), 1u);
  CAF_CHECK(!out[0].result.ok);
  CAF_REQUIRE_EQUAL(out[0].fallbacks.size(), 1u); // a -> b; b's failure ended the job
  CAF_CHECK_EQUAL(out[0].fallbacks[0].to, "b");
}

CAF_TEST(a job answered first time took no fallbacks nor one refused by the only member) {
  pool_policy p;
  p.start(exec_of(2, {{"a", 2}}, {}));
  p.attempt_failed(2, errc::budget_exceeded, "over budget");
  auto out = outcomes_in(p.answered(1, answer("done")));
  CAF_REQUIRE_EQUAL(out.size(), 2u);
  CAF_CHECK(out[0].fallbacks.empty());
  CAF_CHECK(out[1].fallbacks.empty());
}
