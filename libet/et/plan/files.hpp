#pragma once
/// File blocks: how workers hand back files, and reading them out of an answer.
///
/// The documented format (what file_block_instructions() asks for) is a fenced block whose
/// info string names the path:
///
///     ```file path=src/main.cpp
///     int main() {}
///     ```
///
/// Also understood, because models write them unasked:
/// - `path=`, `file=`, `filename=` or `title=` anywhere in the info string, quoted or not
///   (```` ```cpp title="src/main.cpp" ````), or `lang:path` (```` ```python:app/main.py ````);
/// - a line naming the file right before a plain fence (blank lines between are fine):
///   `### File: src/main.cpp`, `### src/main.cpp`, `**src/main.cpp**`, `` `src/main.cpp` ``,
///   `File: src/main.cpp`, `1. **src/main.cpp**`. Without a `File:`/`Path:` label the line
///   must be only a path (a '.' or '/' in it, no spaces).
///
/// Executable files: `mode=755` (or `mode=0755`) in the info string
/// (```` ```file path=run.sh mode=755 ````) marks the file executable; `mode=644` or no mode
/// means a plain file. Any other value is not understood and leaves the file plain: the mode
/// is an explicit request, never inferred from the content (a `#!` line is common in modules
/// that are not meant to be run), and never more than 0755 (no setuid, setgid or sticky bit).
///
/// Fences follow CommonMark: three or more backticks or tildes, closed by at least as many of
/// the same with nothing else on the line, so a file that contains ``` fences is wrapped in
/// ```` (or ~~~). Inside a Markdown file (.md, .markdown, .mdx) an inner ```lang ... ``` pair
/// is also taken as nested, since models write README files that way. Indentation of an
/// indented fence is removed from its lines. Content is exact: the bytes between the opening
/// line and the closing fence, line endings as written (CRLF stays CRLF). A fence that is never
/// closed (a truncated answer) is not a file block, so half a file is never written.

#include <string>
#include <string_view>
#include <vector>

namespace et::plan {

/// One file a worker wrote.
struct file_block {
  std::string path;        ///< as named, without quotes, backticks or a leading "./"
  std::string content;     ///< exact content
  bool executable = false; ///< the info string said mode=755
  bool operator==(const file_block&) const = default;
};

/// The file blocks of `text`, in order; a path named twice appears twice (the last is the
/// newest). Fences without a path are examples, not files, and are skipped.
std::vector<file_block> parse_file_blocks(std::string_view text);

/// The file blocks of an answer and what is wrong with its format, in words a worker can act
/// on: a block never closed (its file is lost), a `file` fence that names no path.
struct file_scan {
  std::vector<file_block> blocks;    ///< as parse_file_blocks
  std::vector<std::string> problems; ///< one sentence each ("" none)
};

/// Reads the file blocks of `text` and notes its format problems.
file_scan scan_file_blocks(std::string_view text);

/// The instructions given to workers describing the format, ready to paste into a prompt.
std::string file_block_instructions();

} // namespace et::plan
