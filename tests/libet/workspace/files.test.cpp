#define CAF_SUITE libet.workspace.files
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "et/workspace/files.hpp"

using namespace et;
using namespace et::workspace;
namespace fs = std::filesystem;

namespace {

using blocks = std::vector<plan::file_block>;
using paths = std::vector<std::string>;

// A fresh folder per test: `out` is the output directory, `outside` a sibling that no write
// may ever reach.
struct fixture {
  fs::path tmp;
  fs::path out;
  fs::path outside;

  fixture() {
    std::string pattern = (fs::temp_directory_path() / "et-workspace-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      CAF_FAIL("mkdtemp failed");
    tmp = pattern;
    out = tmp / "out";
    outside = tmp / "outside";
    fs::create_directories(out);
    fs::create_directories(outside);
  }

  ~fixture() {
    std::error_code ec;
    fs::remove_all(tmp, ec);
  }

  fixture(const fixture&) = delete;
  fixture& operator=(const fixture&) = delete;

  static std::string read(const fs::path& p) {
    std::ifstream in{p, std::ios::binary};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  static void put(const fs::path& p, const std::string& content) {
    std::ofstream{p, std::ios::binary} << content;
  }

  // Every name in `dir`, recursively, relative to it, sorted.
  static paths listing(const fs::path& dir) {
    paths names;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      names.push_back(fs::relative(e.path(), dir).string());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string refusal(const std::string& path) {
    output_dir dir{out};
    auto report = dir.write(1, {{path, "x"}});
    if (!report.written.empty() || report.refused.size() != 1)
      return "<not refused>";
    return report.refused.front().reason;
  }
};

std::string norm(const std::string& path) {
  auto r = normalise_relative(path);
  return r ? *r : "<refused: " + r.error().message + ">";
}

} // namespace

CAF_TEST(normalise_relative removes dot components and repeated slashes) {
  CAF_CHECK_EQUAL(norm("a/./b"), "a/b");
  CAF_CHECK_EQUAL(norm("./x"), "x");
  CAF_CHECK_EQUAL(norm("a//b///c"), "a/b/c");
  CAF_CHECK_EQUAL(norm("src/"), "src");
  CAF_CHECK_EQUAL(norm("a\\b.txt"), "a\\b.txt");
  CAF_CHECK_EQUAL(norm("..foo/bar.."), "..foo/bar..");
}

CAF_TEST(normalise_relative refuses absolute escaping and empty paths) {
  CAF_CHECK_EQUAL(norm(""), "<refused: empty path>");
  CAF_CHECK_EQUAL(norm("/etc/passwd"), "<refused: absolute path>");
  CAF_CHECK_EQUAL(norm("C:\\x.txt"), "<refused: absolute path>");
  CAF_CHECK_EQUAL(norm("c:/x.txt"), "<refused: absolute path>");
  CAF_CHECK_EQUAL(norm("\\\\host\\share\\x"), "<refused: absolute path>");
  CAF_CHECK_EQUAL(norm("../x"), "<refused: escapes the output directory>");
  CAF_CHECK_EQUAL(norm("a/../b"), "<refused: escapes the output directory>");
  CAF_CHECK_EQUAL(norm("a/.."), "<refused: escapes the output directory>");
  CAF_CHECK_EQUAL(norm(std::string("a\0b", 3)), "<refused: the path contains a NUL byte>");
  CAF_CHECK_EQUAL(norm("./"), "<refused: names the output directory itself>");
  CAF_CHECK_EQUAL(norm("."), "<refused: names the output directory itself>");
}

CAF_TEST_FIXTURE_SCOPE(workspace_files, fixture)

CAF_TEST(files are written with exact content and missing parents are created) {
  output_dir dir{out};
  auto report = dir.write(1, {{"src/deep/a.cpp", "int a;\r\n"}, {"./README.md", "# hi\n"}});
  CAF_CHECK_EQUAL(report.written, (paths{"src/deep/a.cpp", "README.md"}));
  CAF_CHECK(report.refused.empty() && report.conflicts.empty() && report.errors.empty());
  CAF_CHECK_EQUAL(read(out / "src/deep/a.cpp"), "int a;\r\n");
  CAF_CHECK_EQUAL(read(out / "README.md"), "# hi\n");
  CAF_CHECK(fs::is_directory(out / "src/deep"));
}

CAF_TEST(a missing output directory is created on the first write) {
  output_dir dir{tmp / "new" / "run"};
  auto report = dir.write(1, {{"a.txt", "A"}});
  CAF_CHECK_EQUAL(report.written, (paths{"a.txt"}));
  CAF_CHECK_EQUAL(read(tmp / "new/run/a.txt"), "A");
}

CAF_TEST(paths that escape are refused as named and nothing is written for them) {
  output_dir dir{out};
  auto report = dir.write(1, {{"../escape.txt", "x"},
                              {"/tmp/abs.txt", "x"},
                              {"C:\\win.txt", "x"},
                              {"\\\\host\\share.txt", "x"},
                              {std::string("nul\0.txt", 8), "x"},
                              {"", "x"},
                              {"ok.txt", "fine"}});
  CAF_CHECK_EQUAL(report.written, (paths{"ok.txt"}));
  CAF_CHECK_EQUAL(report.refused, (std::vector<refused_path>{
                                      {"../escape.txt", "escapes the output directory"},
                                      {"/tmp/abs.txt", "absolute path"},
                                      {"C:\\win.txt", "absolute path"},
                                      {"\\\\host\\share.txt", "absolute path"},
                                      {std::string("nul\0.txt", 8), "the path contains a NUL byte"},
                                      {"", "empty path"}}));
  CAF_CHECK(!fs::exists(tmp / "escape.txt"));
  CAF_CHECK_EQUAL(listing(out), (paths{"ok.txt"}));
}

CAF_TEST(a symlink inside the output directory pointing outside is not followed) {
  fs::create_directory_symlink(outside, out / "link");
  CAF_CHECK_EQUAL(refusal("link/x.txt"), "a parent directory is a symlink");
  CAF_CHECK_EQUAL(refusal("link/new/x.txt"), "a parent directory is a symlink");
  CAF_CHECK(fs::is_empty(outside));
}

CAF_TEST(a symlinked parent deeper in the tree is refused even when it points inside) {
  fs::create_directories(out / "a");
  fs::create_directories(out / "real");
  fs::create_directory_symlink(out / "real", out / "a/b");
  CAF_CHECK_EQUAL(refusal("a/b/c.txt"), "a parent directory is a symlink");
  CAF_CHECK(fs::is_empty(out / "real"));
}

CAF_TEST(a target that is a symlink is refused and its target is untouched) {
  put(outside / "secret.txt", "secret");
  fs::create_symlink(outside / "secret.txt", out / "t.txt");
  fs::create_symlink(outside / "missing.txt", out / "dangling.txt");
  CAF_CHECK_EQUAL(refusal("t.txt"), "the file is a symlink");
  CAF_CHECK_EQUAL(refusal("dangling.txt"), "the file is a symlink");
  CAF_CHECK_EQUAL(read(outside / "secret.txt"), "secret");
  CAF_CHECK(fs::is_symlink(out / "t.txt"));
  CAF_CHECK(!fs::exists(outside / "missing.txt"));
}

CAF_TEST(a target that is an existing directory is refused) {
  fs::create_directories(out / "d/inner");
  CAF_CHECK_EQUAL(refusal("d"), "the path is a directory");
  CAF_CHECK_EQUAL(refusal("d/"), "the path is a directory");
  CAF_CHECK(fs::is_directory(out / "d/inner"));
}

CAF_TEST(a parent that is a file is an error and leaves ownership alone) {
  put(out / "f.txt", "file");
  output_dir dir{out};
  auto report = dir.write(1, {{"f.txt/x", "x"}});
  CAF_CHECK(report.written.empty());
  CAF_REQUIRE_EQUAL(report.errors.size(), 1u);
  CAF_CHECK_EQUAL(report.errors.front().rfind("f.txt/x: ", 0), 0u);
  CAF_CHECK(dir.owners().empty());
  CAF_CHECK_EQUAL(read(out / "f.txt"), "file");
}

CAF_TEST(a rewrite replaces the file atomically and leaves no temporary files) {
  output_dir dir{out};
  dir.write(1, {{"src/a.txt", "old"}});
  // A reader that opened the old file keeps seeing all of it: the new content is a new file
  // renamed over the name, not a rewrite in place.
  std::ifstream reader{out / "src/a.txt", std::ios::binary};
  auto report = dir.write(1, {{"src/a.txt", "new content"}});
  CAF_CHECK_EQUAL(report.written, (paths{"src/a.txt"}));
  std::ostringstream seen;
  seen << reader.rdbuf();
  CAF_CHECK_EQUAL(seen.str(), "old");
  CAF_CHECK_EQUAL(read(out / "src/a.txt"), "new content");
  CAF_CHECK_EQUAL(listing(out), (paths{"src", "src/a.txt"}));
}

CAF_TEST(a rewrite keeps the mode of the existing file) {
  output_dir dir{out};
  dir.write(1, {{"run.sh", "#!/bin/sh\n"}});
  fs::permissions(out / "run.sh", fs::perms::owner_all);
  dir.write(1, {{"run.sh", "#!/bin/sh\necho hi\n"}});
  CAF_CHECK(fs::status(out / "run.sh").permissions() == fs::perms::owner_all);
}

CAF_TEST(two subtasks writing the same path are a conflict naming both) {
  output_dir dir{out};
  auto first = dir.write(1, {{"a.txt", "one"}, {"b.txt", "b"}});
  CAF_CHECK(first.conflicts.empty());
  auto second = dir.write(2, {{"./a.txt", "two"}});
  CAF_CHECK_EQUAL(second.conflicts, (std::vector<path_conflict>{{"a.txt", 1, 2}}));
  CAF_CHECK_EQUAL(read(out / "a.txt"), "two");
  CAF_CHECK_EQUAL(dir.owners(), (std::map<std::string, int>{{"a.txt", 2}, {"b.txt", 1}}));
  auto third = dir.write(3, {{"a.txt", "three"}});
  CAF_CHECK_EQUAL(third.conflicts, (std::vector<path_conflict>{{"a.txt", 2, 3}}));
}

CAF_TEST(the same subtask writing a path again is no conflict) {
  output_dir dir{out};
  dir.write(4, {{"a.txt", "draft"}});
  auto fix = dir.write(4, {{"a.txt", "fixed"}});
  CAF_CHECK(fix.conflicts.empty());
  CAF_CHECK_EQUAL(fix.written, (paths{"a.txt"}));
  CAF_CHECK_EQUAL(read(out / "a.txt"), "fixed");
}

CAF_TEST(a path named twice in one call is written once with the last content) {
  output_dir dir{out};
  auto report = dir.write(1, {{"a.txt", "one"}, {"b.txt", "b"}, {"./a.txt", "two"}});
  CAF_CHECK_EQUAL(report.written, (paths{"a.txt", "b.txt"}));
  CAF_CHECK(report.conflicts.empty());
  CAF_CHECK_EQUAL(read(out / "a.txt"), "two");
}

CAF_TEST(adopted ownership is taken into account) {
  output_dir dir{out};
  dir.adopt("a.txt", 3);
  auto report = dir.write(5, {{"a.txt", "mine"}});
  CAF_CHECK_EQUAL(report.conflicts, (std::vector<path_conflict>{{"a.txt", 3, 5}}));
  CAF_CHECK_EQUAL(dir.owners().at("a.txt"), 5);
}

CAF_TEST(a refused path records no ownership) {
  output_dir dir{out};
  dir.write(1, {{"../x", "x"}, {"/y", "y"}});
  CAF_CHECK(dir.owners().empty());
  CAF_CHECK(fs::is_empty(out));
}

CAF_TEST_FIXTURE_SCOPE_END()
