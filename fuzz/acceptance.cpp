// Fuzz target: reading the witness's verdicts on acceptance criteria (et/plan/acceptance).
// The first byte picks the plan's size (0..15), the rest is the witness's answer.
// Invariants: one result per criterion, in order, naming it; a pass carries no reason
// and blames nobody; a failure always says why, within 2 KiB; blamed subtasks are inside
// the plan and named once; deterministic.

#include <set>

#include "et/plan/acceptance.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  int plan = data[0] % 16;
  auto answer = et::fuzz::bytes(data + 1, size - 1);
  const std::vector<std::string> criteria{"the tests pass", "the README says how to run it",
                                          "no file over 400 lines"};
  auto results = et::plan::parse_acceptance(answer, criteria, plan);
  FUZZ_CHECK(results == et::plan::parse_acceptance(answer, criteria, plan),
             "parsing is not deterministic");
  FUZZ_CHECK(results.size() == criteria.size(), "not one result per criterion");
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    FUZZ_CHECK(r.criterion == criteria[i], "a result names another criterion");
    if (r.passed) {
      FUZZ_CHECK(r.why.empty() && r.subtasks.empty(), "a pass with a reason or a blame");
      continue;
    }
    FUZZ_CHECK(!r.why.empty(), "a failure without a reason");
    FUZZ_CHECK(r.why.size() <= 2048, "a reason over 2 KiB");
    std::set<int> seen;
    for (int s : r.subtasks) {
      FUZZ_CHECK(s >= 1 && s <= plan, "a blamed subtask outside the plan");
      FUZZ_CHECK(seen.insert(s).second, "a subtask blamed twice");
    }
  }
  return 0;
}
