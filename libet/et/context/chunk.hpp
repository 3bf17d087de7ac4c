#pragma once
/// Cutting a file's text into the chunks the retrieval index stores: runs of whole lines
/// that prefer to start where a function or a section starts, bounded in lines and bytes,
/// each with its path and line range. Pure: no files, no database.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace et::context {

/// How big a chunk may grow.
struct chunk_limits {
  size_t max_lines = 60;   ///< lines per chunk at most
  size_t max_bytes = 4096; ///< bytes per chunk at most (a longer line is cut into pieces)
  size_t min_lines = 8;    ///< a boundary closes the chunk only once it has this many lines
  /// "60 lines, 4096 B, 8 before a boundary": as an index records how its chunks were cut.
  std::string text() const;
};

/// A run of lines of one file.
struct chunk {
  std::string path;  ///< the file, relative to the project root
  size_t start_line; ///< first line, 1-based
  size_t end_line;   ///< last line, inclusive
  std::string text;  ///< the lines' bytes (newlines included); never a cut UTF-8 sequence
};

/// True when line `index` of `lines` is a cheap guess at the start of a function or
/// section: after a blank line, a line starting at column 0 with a letter, `_` or `#`;
/// in Markdown (`markdown`), any `#` heading.
bool starts_section(const std::vector<std::string_view>& lines, size_t index, bool markdown);

/// The chunks of `text` (the file at `path`). Lines are never split except one longer than
/// limits.max_bytes, which becomes pieces cut before a UTF-8 sequence, each a chunk of that
/// one line. Chunks of blank lines only are left out.
std::vector<chunk> chunk_text(std::string_view path, std::string_view text,
                              const chunk_limits& limits = {});

} // namespace et::context
