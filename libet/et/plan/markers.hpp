#pragma once
/// The inline markers a supervisor puts in subtask text: `[depends: 1, 3]`,
/// `[depends on: 2]` and `[specialist: security]`, in brackets or parentheses,
/// any case, possibly wrapped in bold.

#include <string>
#include <string_view>
#include <vector>

namespace et::plan {

/// What the markers of one item said.
struct item_markers {
  std::vector<int> depends_on; ///< numbers as written, in order, possibly repeated
  std::string specialist;      ///< lower-cased; the last marker wins
};

/// `line` without its markers, adding what they say to `found`. Space left
/// where a marker was is tidied ("Write tests [depends: 1]." gives "Write tests.").
std::string take_markers(std::string_view line, item_markers& found);

} // namespace et::plan
