#include "et/plan/files.hpp"

#include <algorithm>
#include <optional>

#include "et/plan/markdown.hpp"
#include "et/util/text.hpp"

namespace et::plan {

namespace {

// A line of the input with where it starts and where the next one starts, so
// content can be cut out byte for byte.
struct raw_line {
  std::string_view text; // without the line break
  size_t begin = 0;
  size_t next = 0;
};

std::vector<raw_line> raw_lines(std::string_view input) {
  std::vector<raw_line> out;
  size_t begin = 0;
  while (begin < input.size()) {
    auto end = input.find('\n', begin);
    size_t next = end == std::string_view::npos ? input.size() : end + 1;
    auto text = input.substr(begin, (end == std::string_view::npos ? input.size() : end) - begin);
    if (!text.empty() && text.back() == '\r')
      text.remove_suffix(1);
    out.push_back({text, begin, next});
    begin = next;
  }
  return out;
}

std::string_view unquote(std::string_view s) {
  s = trim(s);
  while (s.size() >= 2
         && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')
             || (s.front() == '`' && s.back() == '`')))
    s = trim(s.substr(1, s.size() - 2));
  return s;
}

// "" when the name holds a control character: a lone "\r" is no line end here, so without
// this "path=a.c\rint main()" named a file "a.c\rint" (found by fuzz/file_blocks).
std::string clean_path(std::string_view s) {
  s = unquote(s);
  while (s.starts_with("./"))
    s.remove_prefix(2);
  if (std::any_of(s.begin(), s.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return {};
  return std::string{s};
}

bool path_like(std::string_view s) {
  return !s.empty() && s.find_first_of(" \t") == std::string_view::npos
         && s.find_first_of("./") != std::string_view::npos && s.back() != '.'
         && s.find("://") == std::string_view::npos;
}

// The next info-string token; a quoted value may hold spaces.
std::string_view next_token(std::string_view& info) {
  info = trim(info);
  size_t i = 0;
  char quote = 0;
  for (; i < info.size(); ++i) {
    char c = info[i];
    if (quote) {
      if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ' ' || c == '\t') {
      break;
    }
  }
  auto token = info.substr(0, i);
  info.remove_prefix(i);
  return token;
}

std::optional<std::string> path_from_info(std::string_view info) {
  bool first = true;
  while (!trim(info).empty()) {
    auto token = next_token(info);
    auto eq = token.find('=');
    if (eq != std::string_view::npos) {
      auto key = ascii_lower(token.substr(0, eq));
      if (key == "path" || key == "file" || key == "filename" || key == "title") {
        auto path = clean_path(token.substr(eq + 1));
        if (!path.empty())
          return path;
      }
    } else if (auto colon = token.find(':'); first && colon != std::string_view::npos) {
      auto path = clean_path(token.substr(colon + 1));
      if (path_like(path))
        return path;
    }
    first = false;
  }
  return std::nullopt;
}

// `mode=755` (or 0755) anywhere in the info string.
bool executable_from_info(std::string_view info) {
  while (!trim(info).empty()) {
    auto token = next_token(info);
    auto eq = token.find('=');
    if (eq != std::string_view::npos && ascii_lower(token.substr(0, eq)) == "mode") {
      auto value = unquote(token.substr(eq + 1));
      return value == "755" || value == "0755";
    }
  }
  return false;
}

// "1. ", "- " or "* " in front of a file name.
std::string_view strip_list_marker(std::string_view s) {
  s = trim(s);
  if (s.starts_with("- ") || s.starts_with("* ") || s.starts_with("+ "))
    return trim(s.substr(2));
  size_t digits = 0;
  while (digits < s.size() && is_digit(s[digits]))
    ++digits;
  if (digits > 0 && digits + 1 < s.size() && (s[digits] == '.' || s[digits] == ')')
      && s[digits + 1] == ' ')
    return trim(s.substr(digits + 2));
  return s;
}

std::string_view strip_colon(std::string_view s) {
  s = trim(s);
  while (!s.empty() && s.back() == ':')
    s.remove_suffix(1);
  return strip_emphasis(s);
}

// The path a line names when it stands right above a fence.
std::optional<std::string> path_from_label(std::string_view line) {
  auto h = parse_heading(line);
  auto s = strip_colon(strip_emphasis(strip_list_marker(h ? h->text : line)));
  auto colon = s.find(':');
  if (colon != std::string_view::npos) {
    auto key = ascii_lower(strip_colon(s.substr(0, colon)));
    if (key == "file" || key == "filename" || key == "path" || key == "file path") {
      auto rest = trim(s.substr(colon + 1));
      while (!rest.empty() && (rest.front() == '*' || rest.front() == '_'))
        rest.remove_prefix(1);
      auto path = clean_path(strip_colon(next_token(rest)));
      if (!path.empty())
        return path;
      return std::nullopt;
    }
  }
  auto path = clean_path(s);
  if (path_like(path))
    return path;
  return std::nullopt;
}

// The first word of an info string ("file" in "file path=x").
std::string next_token_copy(std::string_view info) {
  return std::string{next_token(info)};
}

bool is_markdown(std::string_view path) {
  auto p = ascii_lower(path);
  return p.ends_with(".md") || p.ends_with(".markdown") || p.ends_with(".mdx");
}

// The closing line of the fence opened at `open`, or npos if it never closes.
// With `nested`, an inner "```lang" opens a level that the next bare fence closes.
size_t find_close(const std::vector<raw_line>& lines, size_t open, const fence& f, bool nested) {
  size_t depth = 0;
  for (size_t i = open + 1; i < lines.size(); ++i) {
    if (closes_fence(f, lines[i].text)) {
      if (depth == 0)
        return i;
      --depth;
    } else if (auto inner = open_fence(lines[i].text); nested && inner && !inner->info.empty()
                                                       && inner->marker == f.marker
                                                       && inner->length == f.length) {
      ++depth;
    }
  }
  return std::string_view::npos;
}

std::string content_of(std::string_view input, const std::vector<raw_line>& lines, size_t open,
                       size_t close, size_t indent) {
  if (close == open + 1)
    return {};
  auto begin = lines[open + 1].begin;
  auto end = lines[close].begin;
  if (indent == 0)
    return std::string{input.substr(begin, end - begin)};
  std::string out;
  for (size_t i = open + 1; i < close; ++i) {
    auto raw = input.substr(lines[i].begin, lines[i].next - lines[i].begin);
    out.append(dedent(raw, indent));
  }
  return out;
}

} // namespace

std::vector<file_block> parse_file_blocks(std::string_view text) {
  return scan_file_blocks(text).blocks;
}

file_scan scan_file_blocks(std::string_view text) {
  file_scan scan;
  auto& out = scan.blocks;
  auto lines = raw_lines(text);
  std::optional<std::string> label;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto f = open_fence(lines[i].text);
    if (!f) {
      if (!trim(lines[i].text).empty())
        label = path_from_label(lines[i].text);
      continue;
    }
    auto path = path_from_info(f->info);
    if (!path)
      path = label;
    label.reset();
    if (!path && ascii_lower(next_token_copy(f->info)) == "file")
      scan.problems.push_back("the block opened on line " + std::to_string(i + 1)
                              + " says `file` but names no path (write ```file path=REL/PATH)");
    auto close = find_close(lines, i, *f, path && is_markdown(*path));
    if (close == std::string_view::npos && path && is_markdown(*path))
      close = find_close(lines, i, *f, false);
    if (close == std::string_view::npos) {
      // An unclosed fence swallows the rest of the answer: half a file is never written.
      if (path)
        scan.problems.push_back("the block for " + *path + " opened on line "
                                + std::to_string(i + 1)
                                + " is never closed, so the file was not written");
      break;
    }
    if (path)
      out.push_back(
          {*path, content_of(text, lines, i, close, f->indent), executable_from_info(f->info)});
    i = close;
  }
  return scan;
}

std::string file_block_instructions() {
  return R"(Write every file you create or change as a fenced code block whose info string names
its path relative to the project root, and put the complete file inside (no excerpts,
no "..." placeholders):

```file path=src/main.cpp
#include <cstdio>

int main() { std::puts("hello"); }
```

A file that must be executable (a script that is run directly) adds mode=755 to the info
string, as in `file path=scripts/check.sh mode=755`; every other file is written as a plain,
non-executable file.

One block per file. Paths use forward slashes, never start with "/" and never contain "..".
If the file itself contains lines starting with ```, open and close its block with four
backticks (````) instead of three. Code blocks without path= are treated as examples and
are not written.
)";
}

} // namespace et::plan
