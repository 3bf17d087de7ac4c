#define CAF_SUITE apps.run_pool
#include "run_pool_test.hpp"

// `et run` in pool mode: subtasks over the members in order, failing members,
// fallbacks and dependencies. Files, --json, et runs and resume are in
// run_pool_output.test.cpp.

using namespace run_pool_test;

CAF_TEST_FIXTURE_SCOPE(run_pool_tests, fixture)

CAF_TEST(eight subtasks over a pool of four reach the synthesis in subtask order) {
  auto [plan, work] = parts(8);
  write(setup{plan, work});
  auto run = run_json({"Do all eight parts"});
  CAF_CHECK_EQUAL(str(run.at("status")), "done");
  CAF_REQUIRE_EQUAL(run.at("subtasks").as_array().size(), 8u);
  std::set<std::string> members;
  for (size_t n = 1; n <= 8; ++n) {
    CAF_CHECK_EQUAL(str(subtask(run, n).at("state")), "done");
    CAF_CHECK_EQUAL(str(subtask(run, n).at("output")), upper(words[n - 1]) + "-RESULT");
    members.insert(str(subtask(run, n).at("member")));
  }
  // Four members free at the start each take one of the first four subtasks.
  CAF_CHECK_EQUAL(members.size(), 4u);
  auto final_output = str(run.at("final_output"));
  CAF_CHECK(final_output.starts_with("SYNTHESIS\n"));
  CAF_CHECK(in_order(final_output, results(8)));
}

CAF_TEST(no synthesize prints each raw result under its subtask in order) {
  auto [plan, work] = parts(8);
  write(setup{plan, work});
  auto r = et({"run", "--no-synthesize", "Do all eight parts"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(!has(r.out, "SYNTHESIS"));
  std::vector<std::string> expected;
  for (size_t i = 0; i < 8; ++i) {
    expected.push_back("## " + std::to_string(i + 1) + ". Handle the " + words[i] + " part.");
    expected.push_back(upper(words[i]) + "-RESULT");
  }
  CAF_CHECK(in_order(r.out, expected));
}

CAF_TEST(a member that fails every request hands its work to the others) {
  auto [plan, work] = parts(8);
  setup cfg{plan, work};
  cfg.faults["w2"] = "[{error: server_error, probability: 1.0}]";
  write(cfg);
  auto run = run_json({"--no-synthesize", "Do all eight parts"});
  CAF_CHECK_EQUAL(str(run.at("status")), "done");
  // A plan of several subtasks gets the mayor's brief (coordination is on by default).
  CAF_CHECK_EQUAL(str(run.at("brief")), "BRIEF-TEXT");
  bool moved = false;
  for (size_t n = 1; n <= 8; ++n) {
    const auto& s = subtask(run, n);
    CAF_CHECK_EQUAL(str(s.at("state")), "done");
    CAF_CHECK_NOT_EQUAL(str(s.at("member")), "m2");
    moved = moved || s.at("attempts").as_int64() > 1;
  }
  CAF_CHECK(moved);
  size_t failures = 0;
  for (const auto& e : journal(str(run.at("header").at("id"))))
    if (str(e.at("event")) == "attempt_failed") {
      CAF_CHECK_EQUAL(str(e.at("member")), "m2");
      ++failures;
    }
  CAF_CHECK_GREATER_OR_EQUAL(failures, 1u);
}

CAF_TEST(when every pool member fails the fallbacks of the role answer) {
  auto [plan, work] = parts(2);
  setup cfg{plan, work};
  cfg.pool = {"m1", "m2"};
  cfg.fallbacks = {"spare"};
  cfg.faults["w1"] = cfg.faults["w2"] = "[{error: server_error, probability: 1.0}]";
  write(cfg);
  auto run = run_json({"--no-synthesize", "Do two parts"});
  CAF_CHECK_EQUAL(str(run.at("status")), "done");
  for (size_t n = 1; n <= 2; ++n) {
    const auto& s = subtask(run, n);
    CAF_CHECK_EQUAL(str(s.at("state")), "done");
    CAF_CHECK_EQUAL(str(s.at("member")), "spare");
    CAF_CHECK_EQUAL(str(s.at("output")), upper(words[n - 1]) + "-RESULT");
    // Each member once, then the fallback.
    CAF_CHECK_EQUAL(s.at("attempts").as_int64(), 3);
  }
}

CAF_TEST(a dependent subtask waits for its dependency and is shown its result) {
  // The rule for subtask 3 only matches when subtask 1's answer is in its
  // prompt; without it the next rule answers MISSED.
  setup s{
      {"Write the base constant.", "Handle the bravo part.", "Use the base constant. [depends: 1]"},
      {{"base-value-7731", "DEPENDENT SAW IT"},
       {"use the base constant", "DEPENDENT MISSED IT"},
       {"write the base constant", "BASE-VALUE-7731"},
       {"handle the bravo part", "BRAVO-RESULT"}}};
  s.pool = {"m1", "m2", "m3"};
  write(s);
  auto run = run_json({"--no-synthesize", "Build on a constant"});
  CAF_CHECK_EQUAL(str(run.at("status")), "done");
  CAF_CHECK_EQUAL(str(subtask(run, 1).at("output")), "BASE-VALUE-7731");
  CAF_CHECK_EQUAL(str(subtask(run, 3).at("output")), "DEPENDENT SAW IT");
  CAF_CHECK_EQUAL(subtask(run, 3).at("depends_on").as_array().size(), 1u);
  // The second wave starts only once the first is over.
  int first_done = -1, dependent_assigned = -1, i = 0;
  for (const auto& e : journal(str(run.at("header").at("id")))) {
    auto kind = str(e.at("event"));
    if (kind == "subtask_finished" && e.at("number").as_int64() == 1)
      first_done = i;
    if (kind == "assigned" && e.at("number").as_int64() == 3 && dependent_assigned < 0)
      dependent_assigned = i;
    ++i;
  }
  CAF_CHECK_GREATER_OR_EQUAL(first_done, 0);
  CAF_CHECK_GREATER(dependent_assigned, first_done);
}

CAF_TEST_FIXTURE_SCOPE_END()
