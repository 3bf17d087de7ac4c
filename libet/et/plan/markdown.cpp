#include "et/plan/markdown.hpp"

#include "et/util/text.hpp"

namespace et::plan {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos)
      break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

size_t indent_of(std::string_view line) {
  size_t columns = 0;
  for (char c : line) {
    if (c == ' ')
      ++columns;
    else if (c == '\t')
      columns += 4;
    else
      break;
  }
  return columns;
}

std::string_view dedent(std::string_view line, size_t columns) {
  size_t removed = 0;
  while (!line.empty() && removed < columns && (line.front() == ' ' || line.front() == '\t')) {
    removed += line.front() == '\t' ? 4 : 1;
    line.remove_prefix(1);
  }
  return line;
}

std::optional<fence> open_fence(std::string_view line) {
  fence f;
  f.indent = indent_of(line);
  auto rest = trim(line);
  if (rest.empty() || (rest.front() != '`' && rest.front() != '~'))
    return std::nullopt;
  f.marker = rest.front();
  while (f.length < rest.size() && rest[f.length] == f.marker)
    ++f.length;
  if (f.length < 3)
    return std::nullopt;
  f.info = trim(rest.substr(f.length));
  // CommonMark forbids backticks in a backtick fence's info string; this also
  // keeps inline code such as ```x``` from reading as a fence.
  if (f.marker == '`' && f.info.find('`') != std::string_view::npos)
    return std::nullopt;
  return f;
}

bool closes_fence(const fence& f, std::string_view line) {
  auto rest = trim(line);
  if (rest.size() < f.length)
    return false;
  for (char c : rest)
    if (c != f.marker)
      return false;
  return true;
}

std::vector<bool> fenced_lines(const std::vector<std::string_view>& lines) {
  std::vector<bool> fenced(lines.size(), false);
  std::optional<fence> open;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (open) {
      fenced[i] = true;
      if (closes_fence(*open, lines[i]))
        open.reset();
    } else if ((open = open_fence(lines[i]))) {
      fenced[i] = true;
    }
  }
  return fenced;
}

std::optional<heading> parse_heading(std::string_view line) {
  if (indent_of(line) > 3)
    return std::nullopt;
  auto rest = trim(line);
  size_t level = 0;
  while (level < rest.size() && rest[level] == '#')
    ++level;
  if (level == 0 || level > 6)
    return std::nullopt;
  if (level < rest.size() && rest[level] != ' ' && rest[level] != '\t')
    return std::nullopt;
  auto text = trim(rest.substr(level));
  // A closing sequence of '#'s is decoration, not title.
  auto last = text.find_last_not_of('#');
  if (last == std::string_view::npos)
    text = {};
  else if (last + 1 < text.size() && (text[last] == ' ' || text[last] == '\t'))
    text = trim(text.substr(0, last + 1));
  return heading{level, text};
}

bool is_rule(std::string_view line) {
  auto rest = trim(line);
  if (rest.empty() || (rest.front() != '-' && rest.front() != '*' && rest.front() != '_'))
    return false;
  size_t count = 0;
  for (char c : rest) {
    if (c == rest.front())
      ++count;
    else if (c != ' ' && c != '\t')
      return false;
  }
  return count >= 3;
}

std::string_view strip_emphasis(std::string_view text) {
  text = trim(text);
  for (;;) {
    bool stripped = false;
    for (std::string_view mark : {"**", "__", "*", "_", "`"}) {
      if (text.size() >= 2 * mark.size() + 1 && text.substr(0, mark.size()) == mark
          && text.substr(text.size() - mark.size()) == mark) {
        text = trim(text.substr(mark.size(), text.size() - 2 * mark.size()));
        stripped = true;
        break;
      }
    }
    if (!stripped)
      return text;
  }
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

} // namespace et::plan
