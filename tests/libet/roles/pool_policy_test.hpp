#pragma once
// The pool policy suites' fixture (pool_policy.test.cpp: dispatch, failures, dependencies,
// cancel, budgets; pool_policy_review.test.cpp: reviews and re-asks): builders for executions
// and answers, and a harness that runs the policy and keeps what it asked for.

#include "caf/test/unit_test.hpp"

#include <string>
#include <vector>

#include "et/roles/pool_policy.hpp"

namespace pool_policy_test {

using namespace et;
using namespace et::roles;

inline bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

inline job job_of(int number, std::vector<int> deps = {}, std::string specialist = {}) {
  return job{plan::subtask{number, "subtask-" + std::to_string(number), std::move(deps),
                           std::move(specialist)},
             {},
             {},
             {},
             {}};
}

inline execution exec_of(std::vector<job> jobs, std::vector<member_spec> members,
                         std::vector<std::string> reserves = {}) {
  execution e;
  e.task = "the task";
  e.jobs = std::move(jobs);
  e.lanes.push_back(lane{"", "polecat", std::move(members), std::move(reserves), ""});
  return e;
}

inline attempt_answer answer_of(std::string text) {
  attempt_answer a;
  a.content = std::move(text);
  a.tokens.completion_tokens = 10;
  a.usd = 0.5;
  a.provider = "fake";
  return a;
}

// Runs the policy and keeps what it asked for, split by kind.
struct harness {
  pool_policy policy;
  std::vector<dispatch_job> sent;     // every dispatch, in order
  std::vector<review_job> reviews;    // every review asked for
  std::vector<progress> events;       // every progress event
  std::vector<deliver_outcomes> done; // deliveries (at most one is right)

  // Keeps the commands; returns the dispatches among them.
  std::vector<dispatch_job> take(pool_commands commands) {
    std::vector<dispatch_job> now;
    for (auto& c : commands) {
      if (auto* d = std::get_if<dispatch_job>(&c))
        now.push_back(*d);
      else if (auto* r = std::get_if<review_job>(&c))
        reviews.push_back(*r);
      else if (auto* p = std::get_if<progress>(&c))
        events.push_back(*p);
      else if (auto* o = std::get_if<deliver_outcomes>(&c))
        done.push_back(*o);
    }
    sent.insert(sent.end(), now.begin(), now.end());
    return now;
  }

  std::vector<dispatch_job> start(execution e) { return take(policy.start(std::move(e))); }
  std::vector<dispatch_job> answer(int number, std::string text) {
    return take(policy.answered(number, answer_of(std::move(text))));
  }
  std::vector<dispatch_job> fail(int number, errc code = errc::server_error,
                                 std::string why = "upstream broke") {
    return take(policy.attempt_failed(number, code, why));
  }
  std::vector<dispatch_job> review(int number, double score, std::string note = "fix it") {
    return take(policy.reviewed(number, score, note));
  }

  // The one delivery's outcomes (fails the test when there is none).
  const std::vector<subtask_outcome>& outcomes() {
    CAF_REQUIRE_EQUAL(done.size(), 1u);
    return done.front().outcomes;
  }

  // Where job `number` was last sent.
  std::string last_target(int number) const {
    std::string t;
    for (const auto& d : sent)
      if (d.number == number)
        t = d.target;
    return t;
  }
};

inline std::vector<int> numbers(const std::vector<dispatch_job>& ds) {
  std::vector<int> out;
  for (const auto& d : ds)
    out.push_back(d.number);
  return out;
}

inline std::vector<std::string> targets(const std::vector<dispatch_job>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds)
    out.push_back(d.target);
  return out;
}

} // namespace pool_policy_test
