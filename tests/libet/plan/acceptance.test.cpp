#define CAF_SUITE libet.plan.acceptance
#include "caf/test/unit_test.hpp"

#include "et/plan/acceptance.hpp"

using namespace et::plan;

namespace {

const std::vector<std::string> criteria{"has tests", "has a README", "builds"};

} // namespace

CAF_TEST(each criterion gets its verdict reason and blamed subtasks) {
  auto r = parse_acceptance("1. pass\n"
                            "2. fail: the README never says how to run it [subtasks: 3]\n"
                            "3. FAIL - missing include [subtasks: 1, 2]\n",
                            criteria, 3);
  CAF_REQUIRE_EQUAL(r.size(), 3u);
  CAF_CHECK(r[0].passed);
  CAF_CHECK_EQUAL(r[0].criterion, "has tests");
  CAF_CHECK(!r[1].passed);
  CAF_CHECK_EQUAL(r[1].why, "the README never says how to run it");
  CAF_CHECK_EQUAL(r[1].subtasks, (std::vector<int>{3}));
  CAF_CHECK(!r[2].passed);
  CAF_CHECK_EQUAL(r[2].why, "missing include");
  CAF_CHECK_EQUAL(r[2].subtasks, (std::vector<int>{1, 2}));
}

CAF_TEST(markdown decoration around numbers and verdicts is read) {
  auto r = parse_acceptance("Here is my check:\n- **1.** **pass**\n* `2)` pass\n  3: Pass\n",
                            criteria, 2);
  for (const auto& c : r)
    CAF_CHECK(c.passed);
}

CAF_TEST(what the answer does not judge fails and cannot be read as passing) {
  auto r = parse_acceptance("Looks great to me! SCORE: 10/10", criteria, 2);
  for (const auto& c : r) {
    CAF_CHECK(!c.passed);
    CAF_CHECK_EQUAL(c.why, "not judged by the witness");
  }
  // Only the words asked for are verdicts.
  r = parse_acceptance("1. passable\n2. passed\n", criteria, 2);
  CAF_CHECK(!r[0].passed);
  CAF_CHECK(!r[1].passed);
}

CAF_TEST(numbers outside the criteria or the plan are ignored and the first verdict wins) {
  auto r = parse_acceptance("0. pass\n4. pass\n99999999999. pass\n1. fail: no tests "
                            "[subtasks: 0, 2, 7, 2, 123456789]\n1. pass\n",
                            criteria, 3);
  CAF_CHECK(!r[0].passed);
  CAF_CHECK_EQUAL(r[0].subtasks, (std::vector<int>{2}));
  CAF_CHECK(!r[1].passed);
  CAF_CHECK(!r[2].passed);
}

CAF_TEST(a long reason is cut and an empty one is named) {
  auto r = parse_acceptance("1. fail: " + std::string(10000, 'x') + "\n2. fail\n", criteria, 1);
  CAF_CHECK_EQUAL(r[0].why.size(), 2048u);
  CAF_CHECK_EQUAL(r[1].why, "no reason given");
}

// fuzz/acceptance: a criterion number with less than four bytes after it ("2", "1. ok")
// was checked for a word end at its fifth byte, past the line (ASan: heap-buffer-overflow).
// The input, byte for byte after the plan-size byte.
CAF_TEST(a number with a short rest or none is not a verdict) {
  auto r = parse_acceptance("- 1) Pass\n1. fail: judged \x02- 1) Pass\n1. ftwice\n2", criteria, 2);
  CAF_CHECK(r[0].passed);
  CAF_CHECK_EQUAL(r[1].why, "not judged by the witness");
  auto s = parse_acceptance("1. ok\n2. pa\n3.", criteria, 2);
  for (const auto& c : s)
    CAF_CHECK_EQUAL(c.why, "not judged by the witness");
}
