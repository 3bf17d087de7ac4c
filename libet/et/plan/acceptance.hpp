#pragma once
/// Reading the witness's judgement of a result against acceptance criteria (`et run
/// --accept`). The witness is asked for one line per criterion, by number:
///
///     1. pass
///     2. fail: the README never says how to run the tests [subtasks: 3]
///
/// The answer is model output, so it is read defensively: a criterion the answer does not
/// judge counts as failed ("not judged"), so a reply that cannot be read never passes;
/// numbers outside the criteria and subtasks outside the plan are ignored; the first
/// judgement of a criterion wins; reasons are cut at 2 KiB. Markdown decoration (`-`, `*`,
/// `**`, backticks) around the number and the verdict is tolerated.

#include <string>
#include <string_view>
#include <vector>

namespace et::plan {

/// The judgement of one criterion.
struct criterion_result {
  std::string criterion;     ///< as given with --accept
  bool passed = false;       ///< the witness said pass
  std::string why;           ///< for a failure: why, and how to fix it
  std::vector<int> subtasks; ///< the subtasks the witness blames (empty: not said)
  bool operator==(const criterion_result&) const = default;
};

/// One result per criterion, in the criteria's order. `subtasks`: the plan's size.
std::vector<criterion_result>
parse_acceptance(std::string_view answer, const std::vector<std::string>& criteria, int subtasks);

/// The instructions for the witness: how to answer, ready to paste into a prompt.
std::string acceptance_instructions();

} // namespace et::plan
