#pragma once
/// Parsing a supervisor's answer into subtasks.
///
/// What is understood:
/// - items: numbered (`1.`, `1)`, `Step 1:`, `Task 1:`, `**1.**`, `**1. Title**`), bullets
///   (`-`, `*`, `+`, `•`, with an optional `[ ]` checkbox) and headings naming a step
///   (`### Step 2: Tests`). The least indented kind is the list; when numbers and bullets share
///   that indentation the numbers are the list and the bullets belong to the items.
/// - folding: continuation lines, indented paragraphs, nested bullets and nested numbered items
///   become part of their item's text, on new lines, indentation relative to the item kept.
///   Prose after a blank line that another item follows belongs to the previous item; prose
///   after the last item (a sign-off) is not part of any item.
/// - sections: a heading (any level, any case) starting with "Summary" holds the summary, one
///   starting with "Subtasks" (or "Tasks", "Steps") the items; a bold or plain `Summary:` /
///   `Subtasks:` line works the same. When a subtasks section exists only its items count.
///   Without a summary section the prose before the first item is the summary.
/// - code fences: their lines belong to the current item verbatim, never items or markers.
/// - markers: `[depends: 2]`, `[depends: 1, 3]`, `[depends on: 2]`, `[specialist: security]`
///   anywhere in an item (brackets or parentheses), removed from its text.
///
/// Numbering: subtasks are renumbered 1..N in order. `[depends: N]` refers to the numbers as
/// the model wrote them when those are unique (bullets count 1, 2, ... in order), else to the
/// positions; the parser maps them to the new numbers. Unknown, self and over-the-cap references
/// are dropped, and a dependency cycle is broken by dropping the edge that closes it; each such
/// repair adds a line to `warnings`.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "et/util/result.hpp"

namespace et::plan {

/// One unit of work for a worker.
struct subtask {
  int number = 0;              ///< 1..N in the order written
  std::string text;            ///< the item's text, markers removed, continuation folded in
  std::vector<int> depends_on; ///< numbers of subtasks that must finish first, ascending
  std::string specialist;      ///< lower-cased `[specialist: x]`, "" when none
  bool operator==(const subtask&) const = default;
};

/// A parsed supervisor answer.
struct decomposition {
  std::string summary;               ///< the summary section or the prose before the list
  std::vector<subtask> subtasks;     ///< at most the cap, numbered 1..N
  size_t proposed = 0;               ///< how many the model proposed before the cap
  std::vector<std::string> warnings; ///< repairs made: dropped references, broken cycles, cap
};

/// Parses `text` into subtasks, keeping the first `max_subtasks` (0: no cap). Text without a
/// list is a single subtask (the text minus its summary section). Empty or blank text is an
/// `errc::invalid_input` failure.
result<decomposition> parse_decomposition(std::string_view text, size_t max_subtasks);

/// The subtask numbers grouped into waves: wave 0 has no dependencies and every later wave
/// depends only on earlier ones. Unknown references are ignored; subtasks caught in a cycle
/// (never the case after parse_decomposition) form one last wave.
std::vector<std::vector<int>> waves(const decomposition& d);

} // namespace et::plan
