#include "et/context/chunk.hpp"

#include "et/util/text.hpp"

namespace et::context {

namespace {

bool blank(std::string_view line) {
  return trim(line).empty();
}

bool is_markdown(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  return ends(".md") || ends(".markdown") || ends(".MD");
}

// The lines of `text`, each with its newline (the last may have none).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    auto end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(start, end - start));
    start = end;
  }
  return out;
}

} // namespace

std::string chunk_limits::text() const {
  return std::to_string(max_lines) + " lines, " + std::to_string(max_bytes) + " B, "
         + std::to_string(min_lines) + " before a boundary";
}

bool starts_section(const std::vector<std::string_view>& lines, size_t index, bool markdown) {
  if (index >= lines.size() || lines[index].empty())
    return false;
  auto c = lines[index][0];
  if (markdown && c == '#')
    return true;
  if (index == 0 || !blank(lines[index - 1]))
    return false;
  bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return letter || c == '_' || c == '#';
}

std::vector<chunk> chunk_text(std::string_view path, std::string_view text,
                              const chunk_limits& limits) {
  auto max_lines = limits.max_lines > 0 ? limits.max_lines : 1;
  // A piece of a long line must hold at least one whole UTF-8 sequence.
  auto max_bytes = limits.max_bytes > 4 ? limits.max_bytes : 4;
  auto lines = split_lines(text);
  bool markdown = is_markdown(path);
  std::vector<chunk> out;
  std::string current;
  size_t first = 0; // 0-based index of the current chunk's first line
  size_t count = 0; // lines in the current chunk
  auto close = [&] {
    if (count > 0 && !blank(current))
      out.push_back({std::string{path}, first + 1, first + count, std::move(current)});
    current.clear();
    count = 0;
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    auto line = lines[i];
    bool full = count >= max_lines || current.size() + line.size() > max_bytes;
    if (count > 0 && (full || (count >= limits.min_lines && starts_section(lines, i, markdown))))
      close();
    if (line.size() > max_bytes) {
      // A single huge line (minified code, data): pieces of it, each its own chunk.
      for (size_t at = 0; at < line.size();) {
        auto piece = clip_utf8(line.substr(at), max_bytes);
        if (piece.empty()) // invalid UTF-8: a run of stray continuation bytes
          piece = std::string{line.substr(at, max_bytes)};
        at += piece.size();
        if (!blank(piece))
          out.push_back({std::string{path}, i + 1, i + 1, std::move(piece)});
      }
      continue;
    }
    if (count == 0)
      first = i;
    current += line;
    ++count;
  }
  close();
  return out;
}

} // namespace et::context
