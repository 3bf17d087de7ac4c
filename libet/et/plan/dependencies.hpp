#pragma once
/// Turning the items of a parsed list into numbered subtasks: renumbering,
/// the cap, mapping `[depends: N]` references and breaking cycles.

#include <cstddef>
#include <string>
#include <vector>

#include "et/plan/decompose.hpp"
#include "et/util/result.hpp"

namespace et::plan {

/// One item as the model wrote it, before numbering.
struct proposed_item {
  int written = 0;             ///< its number as written; 0 for bullets
  std::string text;            ///< its text, markers removed
  std::vector<int> depends_on; ///< references as written
  std::string specialist;      ///< from `[specialist: x]`, "" when none
};

/// Fills `out.subtasks` with the first `max_subtasks` (0: all) non-empty items, numbered
/// 1..N, and `out.proposed` with how many there were. References use the written numbers
/// when they are unique, else positions. Repairs (empty items, unknown, self and over-the-cap
/// references, cycles, the cap itself) are explained in `out.warnings`. A cycle is broken by
/// dropping the dependency of an earlier subtask on a later one that closes it, since the
/// written order is the likelier intent.
void number_subtasks(decomposition& out, std::vector<proposed_item> items, size_t max_subtasks);

/// The most subtasks a plan may have (the bound of `et run --max-subtasks`).
inline constexpr size_t max_plan_subtasks = 100;

/// Checks a plan that comes from outside (a journal, a parser): 1..`limit` subtasks (limit
/// capped at max_plan_subtasks) numbered exactly 1..N, each once, depending only on other
/// subtasks of the plan, without a cycle. An errc::invalid_input failure names the first
/// problem ("subtask 2 depends on 3, which depends on 2: a cycle"); the caller adds where.
result<void> validate_plan(const std::vector<subtask>& subtasks, size_t limit);

} // namespace et::plan
