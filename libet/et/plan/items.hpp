#pragma once
/// Recognising the lines of a subtask list: list items of every style models
/// write, and the titles of the summary and subtasks sections.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace et::plan {

/// The styles of item, strongest first: when several start at the least
/// indentation, the strongest is the list and the others are folded into it.
enum class item_kind { heading, numbered, bullet };

/// A line that starts a list item.
struct item_line {
  item_kind kind = item_kind::bullet; ///< the style
  int number = 0;                     ///< the number as written; 0 for bullets
  size_t indent = 0;                  ///< columns before the marker
  size_t content_column = 0;          ///< columns before the text, for folding lines below it
  std::string text;                   ///< the text after the marker ("**Title**" kept bold)
};

/// The item `line` starts: `1.`, `1)`, `Step 1:`, `Task 1 -`, `**1.**`, `**1. Title**`,
/// `- `, `* `, `+ `, `• ` (a `[ ]` / `[x]` checkbox is dropped).
std::optional<item_line> parse_item(std::string_view line);

/// The item a heading's title starts (`### Step 2: Tests`, `## 3. Deploy`); numbered
/// titles only, so that ordinary headings stay headings.
std::optional<item_line> parse_heading_item(std::string_view title);

/// Which section a title opens.
enum class section { none, summary, subtasks, other };

/// The section a heading's title opens: "Summary..." or "Subtasks..." / "Sub-tasks..." /
/// "Tasks" / "Steps" (any case, emphasis and a trailing colon ignored), else `other`.
section section_of_title(std::string_view title);

/// A `Summary:` / `**Subtasks:**` line used as a heading.
struct section_label {
  section opens = section::none; ///< summary or subtasks
  std::string_view rest;         ///< text after the label on the same line
};

/// The section label `line` is, if any: the label must be the whole key before
/// the colon (or the whole line), so prose like "Summary of changes: x" is not one.
std::optional<section_label> parse_section_label(std::string_view line);

} // namespace et::plan
