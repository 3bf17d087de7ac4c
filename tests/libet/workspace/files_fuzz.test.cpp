#define CAF_SUITE libet.workspace.files_fuzz
#include "caf/test/unit_test.hpp"

// Answers fuzz/file_blocks broke an invariant with, byte for byte.

#include <string>

#include "et/plan/files.hpp"
#include "et/workspace/files.hpp"

using namespace et;

// The answer names "..\\\\host\\sswk": one file name on POSIX, but a path that leaves the
// output directory once the output is copied to Windows. A ".." component counts under either
// separator, as absolute paths already did.
CAF_TEST(a parent component behind a backslash is refused) {
  std::string text{
      "```file t\nma \n`c/main.cpp\nint main() {}\n```\n\n### File: "
      "../etc/passwk\n```\nroot\n```\n\n```cpp title=.cpp\nint main() {}\n```\n\n### File: "
      "..\\\\host\\sswk\n```\nroot\n```\n\n```cpp title=\"/abs/x.h\":\\x.py\n```\n",
      192};
  auto blocks = plan::parse_file_blocks(text);
  bool named = false;
  for (const auto& b : blocks)
    if (b.path.starts_with("..\\")) {
      named = true;
      auto r = workspace::normalise_relative(b.path);
      CAF_CHECK(!r.has_value());
    }
  CAF_CHECK(named);
  CAF_CHECK(!workspace::normalise_relative("a\\..\\..\\x").has_value());
  CAF_CHECK(!workspace::normalise_relative("a/b\\..").has_value());
  // Backslashes alone stay part of a POSIX name.
  auto kept = workspace::normalise_relative("a\\b.txt");
  CAF_REQUIRE(kept.has_value());
  CAF_CHECK_EQUAL(*kept, "a\\b.txt");
  auto dots = workspace::normalise_relative("a/..b\\c");
  CAF_REQUIRE(dots.has_value());
  CAF_CHECK_EQUAL(*dots, "a/..b\\c");
}
