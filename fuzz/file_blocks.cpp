// Fuzz target: the file-block parser (et/plan/files) and the path gate the output directory
// applies to its paths (et/workspace normalise_relative). Invariants: deterministic; a block
// has a path without line breaks; an accepted path is relative, has no ".." component, no NUL,
// no drive or UNC prefix, and normalising it again changes nothing; blocks rendered in the
// documented format parse back to themselves.

#include <algorithm>
#include <cctype>
#include <string>

#include "et/plan/files.hpp"
#include "et/workspace/files.hpp"
#include "fuzz_support.hpp"

namespace {

void check_path(const std::string& path) {
  auto n = et::workspace::normalise_relative(path);
  if (!n)
    return;
  const std::string& p = *n;
  FUZZ_CHECK(!p.empty(), "an empty path was accepted");
  FUZZ_CHECK(p.front() != '/' && p.front() != '\\', "an absolute path was accepted");
  FUZZ_CHECK(!(p.size() >= 2 && p[1] == ':' && std::isalpha(static_cast<unsigned char>(p[0]))),
             "a drive path was accepted");
  FUZZ_CHECK(p.find('\0') == std::string::npos, "a path with NUL was accepted");
  for (size_t pos = 0; pos <= p.size();) {
    auto end = p.find_first_of("/\\", pos);
    auto part =
        std::string_view{p}.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    FUZZ_CHECK(part != "..", "a path with a '..' component was accepted");
    if (end == std::string::npos)
      break;
    pos = end + 1;
  }
  auto again = et::workspace::normalise_relative(p);
  FUZZ_CHECK(again && *again == p, "normalising is not idempotent");
}

// A path the documented format carries verbatim.
bool plain_path(const std::string& p) {
  if (p.empty() || p.front() == '.' || p.front() == '-')
    return false;
  for (unsigned char c : p)
    if (!std::isalnum(c) && c != '/' && c != '_' && c != '-' && c != '.')
      return false;
  auto ext = p.substr(p.find_last_of('.') == std::string::npos ? p.size() : p.find_last_of('.'));
  return ext != ".md" && ext != ".markdown" && ext != ".mdx";
}

// The longest run of `c` in `s`.
size_t longest_run(const std::string& s, char c) {
  size_t best = 0, run = 0;
  for (char x : s) {
    run = x == c ? run + 1 : 0;
    best = std::max(best, run);
  }
  return best;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = et::fuzz::bytes(data, size);
  auto blocks = et::plan::parse_file_blocks(text);
  FUZZ_CHECK(blocks == et::plan::parse_file_blocks(text), "parsing is not deterministic");
  std::string rendered;
  std::vector<et::plan::file_block> renderable;
  for (const auto& b : blocks) {
    FUZZ_CHECK(!b.path.empty(), "a block without a path");
    FUZZ_CHECK(
        std::none_of(b.path.begin(), b.path.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }),
        "a path with a control character");
    check_path(b.path);
    // Round trip: content that ends its last line, fenced with more backticks than it holds.
    if (plain_path(b.path) && (b.content.empty() || b.content.back() == '\n')
        && b.content.find('\r') == std::string::npos) {
      std::string fence(std::max<size_t>(3, longest_run(b.content, '`') + 1), '`');
      rendered += fence + "file path=" + b.path + "\n" + b.content + fence + "\n\n";
      renderable.push_back(b);
    }
  }
  FUZZ_CHECK(et::plan::parse_file_blocks(rendered) == renderable,
             "rendered blocks do not parse back");
  return 0;
}
