#pragma once
/// Line-level Markdown helpers shared by the plan parsers: splitting lines
/// (LF or CRLF), code fences, ATX headings, indentation and emphasis. They
/// recognise what models actually write, not the whole of CommonMark.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace et::plan {

/// The lines of `text` without their line breaks ("\n" or "\r\n"); the views
/// point into `text`. A final line break does not start an empty line.
std::vector<std::string_view> split_lines(std::string_view text);

/// Columns of leading white space; a tab counts as four.
size_t indent_of(std::string_view line);

/// `line` without up to `columns` columns of leading white space.
std::string_view dedent(std::string_view line, size_t columns);

/// An opening code fence: three or more backticks or tildes.
struct fence {
  char marker = '`';     ///< '`' or '~'
  size_t length = 0;     ///< how many markers; the closing fence needs at least as many
  size_t indent = 0;     ///< columns before the fence
  std::string_view info; ///< the trimmed info string after the markers ("cpp", "file path=x")
};

/// The fence `line` opens, if it is one.
std::optional<fence> open_fence(std::string_view line);

/// True when `line` closes `f`: the same marker at least as often and nothing else.
bool closes_fence(const fence& f, std::string_view line);

/// For each of `lines`, whether it is a fence line or inside a fenced block
/// (an unclosed fence runs to the end).
std::vector<bool> fenced_lines(const std::vector<std::string_view>& lines);

/// An ATX heading ("## Title").
struct heading {
  size_t level = 0;      ///< number of '#' (1..6)
  std::string_view text; ///< the title without the '#'s and surrounding space
};

/// The heading `line` is, if it is one.
std::optional<heading> parse_heading(std::string_view line);

/// True for a thematic break: three or more of the same `-`, `*` or `_`, spaces allowed.
bool is_rule(std::string_view line);

/// `text` without enclosing emphasis (`**`, `__`, `*`, `_`, backticks),
/// repeatedly, and trimmed: "**`Score:`**" gives "Score:".
std::string_view strip_emphasis(std::string_view text);

/// True for ASCII letters and digits.
bool is_alnum(char c);

/// True for ASCII digits.
bool is_digit(char c);

} // namespace et::plan
