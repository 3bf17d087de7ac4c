#define CAF_SUITE libet.workspace.file_names
#include "caf/test/unit_test.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include "et/workspace/files.hpp"
#include "temp_dir.hpp"

// The names a model may give its files: ones that read as what they are. A control
// character, bytes that are not UTF-8 or an invisible character make a listing, a diff or a
// terminal show another name (or obey it), and two names that differ only in letter case are
// one file on macOS and Windows.

using namespace et;
using namespace et::workspace;
namespace fs = std::filesystem;
using blocks = std::vector<plan::file_block>;

namespace {

std::string refusal(const std::string& path) {
  auto r = normalise_relative(path);
  return r ? "<accepted: " + *r + ">" : r.error().message;
}

} // namespace

CAF_TEST(a name with a control character is refused naming it) {
  CAF_CHECK_EQUAL(refusal("src/a\x1b[31m.c"), "a name in it holds a control character (U+001B)");
  CAF_CHECK_EQUAL(refusal("a\nb.txt"), "a name in it holds a control character (U+000A)");
  CAF_CHECK_EQUAL(refusal("tab\t.txt"), "a name in it holds a control character (U+0009)");
  CAF_CHECK_EQUAL(refusal("del\x7f"), "a name in it holds a control character (U+007F)");
  CAF_CHECK_EQUAL(refusal("csi\xC2\x9B"
                          "2J.txt"),
                  "a name in it holds a control character (U+009B)");
}

CAF_TEST(a name that is not utf 8 is refused) {
  for (const auto* bad : {"\xff.txt", "a/\xC0\xAF.txt", "cut\xE2\x82", "\xED\xA0\x80.c"})
    CAF_CHECK_EQUAL(refusal(bad), "a name in it is not valid UTF-8");
}

CAF_TEST(a name with an invisible character is refused) {
  // "Trojan Source": shown as "main.cpp" in a listing, U+202E reverses what follows it.
  CAF_CHECK_EQUAL(
      refusal("src/main\xE2\x80\xAEppc.txt"),
      "a name in it holds an invisible character (U+202E) that makes it read as another");
  CAF_CHECK_EQUAL(
      refusal("ma\xE2\x80\x8Bin.c"),
      "a name in it holds an invisible character (U+200B) that makes it read as another");
  // Tag characters spell text a model reads and a person does not see.
  CAF_CHECK_EQUAL(
      refusal("notes\xF3\xA0\x81\x89.md"),
      "a name in it holds an invisible character (U+E0049) that makes it read as another");
  CAF_CHECK_EQUAL(
      refusal("soft\xC2\xADhyphen.c"),
      "a name in it holds an invisible character (U+00AD) that makes it read as another");
  CAF_CHECK_EQUAL(
      refusal("\xEF\xBB\xBFREADME.md"),
      "a name in it holds an invisible character (U+FEFF) that makes it read as another");
}

CAF_TEST(names in other scripts and with spaces are accepted) {
  for (const auto* good : {"docs/caf\xC3\xA9.md", "\xE6\x96\x87\xE6\xA1\xA3/readme.txt",
                           "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D.txt", "my notes.md",
                           "emoji \xF0\x9F\x98\x80.txt", "nbsp\xC2\xA0.txt"})
    CAF_CHECK_EQUAL(refusal(good), "<accepted: " + std::string{good} + ">");
}

CAF_TEST(a path differing only in case from one written is refused and the first kept) {
  et::test::scratch_dir scratch{"file-names"};
  output_dir out{scratch.dir};
  auto first =
      out.write(1, blocks{{"README.md", "one\n", false}, {"src/Main.c", "int x;\n", false}});
  CAF_CHECK_EQUAL(first.written, (std::vector<std::string>{"README.md", "src/Main.c"}));
  auto later = out.write(2, blocks{{"readme.md", "two\n", false}, {"SRC/main.C", "", false}});
  CAF_CHECK(later.written.empty());
  CAF_REQUIRE_EQUAL(later.refused.size(), 2u);
  CAF_CHECK_EQUAL(later.refused[0].reason,
                  "it differs only in case from README.md (one file on macOS and Windows); use "
                  "that name");
  CAF_CHECK_EQUAL(later.refused[1].path, "SRC/main.C");
  // Within one answer too, and the exact name again is a plain rewrite.
  auto same = out.write(
      1, blocks{{"a.txt", "a", false}, {"A.TXT", "b", false}, {"README.md", "three\n", false}});
  CAF_CHECK_EQUAL(same.written, (std::vector<std::string>{"a.txt", "README.md"}));
  CAF_CHECK_EQUAL(same.refused.size(), 1u);
  CAF_CHECK(!fs::exists(scratch.dir / "readme.md"));
  CAF_CHECK(!fs::exists(scratch.dir / "A.TXT"));
  // What the worker is told before anything is written says the same.
  auto problems = out.problems(3, blocks{{"Readme.MD", "x", false}});
  CAF_REQUIRE_EQUAL(problems.size(), 1u);
  CAF_CHECK_NOT_EQUAL(problems[0].find("differs only in case from README.md"), std::string::npos);
}

CAF_TEST(a path an older run wrote in both spellings is rewritten by its owner) {
  et::test::scratch_dir scratch{"file-names-adopt"};
  output_dir out{scratch.dir};
  out.adopt("README.md", 1);
  out.adopt("readme.md", 2);
  auto again = out.write(2, blocks{{"readme.md", "fixed\n", false}});
  CAF_CHECK_EQUAL(again.written, (std::vector<std::string>{"readme.md"}));
  CAF_CHECK(again.refused.empty());
  CAF_CHECK(out.problems(2, blocks{{"readme.md", "x", false}}).empty());
}
