#include "et/workspace/auto_run.hpp"

#include <array>

namespace et::workspace {

namespace {

struct entry {
  std::string_view name; // lower case
  std::string_view what; // for the reason
};

constexpr std::array<entry, 29> refused_names{{
    {".git", "version control metadata"},
    {"git~1", "version control metadata"},
    {".hg", "version control metadata"},
    {".svn", "version control metadata"},
    {".bzr", "version control metadata"},
    {"_darcs", "version control metadata"},
    {".jj", "version control metadata"},
    {".pijul", "version control metadata"},
    {".envrc", "direnv runs it when a shell enters the folder"},
    {".direnv", "direnv state"},
    {".vscode", "editor tasks and settings"},
    {".idea", "IDE run configurations"},
    {".exrc", "editor startup script"},
    {".vimrc", "editor startup script"},
    {".nvimrc", "editor startup script"},
    {".nvim.lua", "editor startup script"},
    {".dir-locals.el", "editor startup script"},
    {".dir-locals-2.el", "editor startup script"},
    {".husky", "commit hooks"},
    {".pre-commit-config.yaml", "commit hooks"},
    // Lefthook's installed hook reads any of these on each commit, Overcommit's its own.
    {"lefthook.yml", "commit hooks"},
    {"lefthook.yaml", "commit hooks"},
    {".lefthook.yml", "commit hooks"},
    {".lefthook.yaml", "commit hooks"},
    {"lefthook-local.yml", "commit hooks"},
    {"lefthook-local.yaml", "commit hooks"},
    {".lefthook-local.yml", "commit hooks"},
    {".lefthook-local.yaml", "commit hooks"},
    {".overcommit.yml", "commit hooks"},
}};

// Code points HFS+ ignores in names (so ".g\u200Cit" is ".git" there), as UTF-8 bytes.
bool ignorable_at(std::string_view s, size_t i, size_t& length) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  if (i + 3 <= s.size() && b(0) == 0xE2 && b(1) == 0x80 && b(2) >= 0x8C && b(2) <= 0x8F) {
    length = 3; // U+200C..U+200F
    return true;
  }
  if (i + 3 <= s.size() && b(0) == 0xE2 && b(1) == 0x80 && b(2) >= 0xAA && b(2) <= 0xAE) {
    length = 3; // U+202A..U+202E
    return true;
  }
  if (i + 3 <= s.size() && b(0) == 0xE2 && b(1) == 0x81 && b(2) >= 0xAA && b(2) <= 0xAF) {
    length = 3; // U+206A..U+206F
    return true;
  }
  if (i + 3 <= s.size() && b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) {
    length = 3; // U+FEFF
    return true;
  }
  return false;
}

// The name as a case-insensitive, normalising file system would compare it.
std::string fold(std::string_view part) {
  std::string out;
  for (size_t i = 0; i < part.size();) {
    size_t skip = 0;
    if (ignorable_at(part, i, skip)) {
      i += skip;
      continue;
    }
    char c = part[i++];
    out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  // Windows drops trailing dots and spaces: ".git." and ".git " open ".git".
  while (!out.empty() && (out.back() == '.' || out.back() == ' '))
    out.pop_back();
  return out;
}

} // namespace

std::optional<std::string> runs_on_its_own(std::string_view rel) {
  size_t begin = 0;
  while (begin <= rel.size()) {
    auto end = rel.find('/', begin);
    if (end == std::string_view::npos)
      end = rel.size();
    auto folded = fold(rel.substr(begin, end - begin));
    for (const auto& e : refused_names)
      if (folded == e.name)
        return "runs on its own: " + std::string{e.name} + (end < rel.size() ? "/" : "") + " ("
               + std::string{e.what} + ")";
    begin = end + 1;
  }
  return std::nullopt;
}

} // namespace et::workspace
