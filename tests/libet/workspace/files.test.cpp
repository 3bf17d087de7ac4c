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
#include "temp_dir.hpp"

using namespace et;
using namespace et::workspace;
namespace fs = std::filesystem;

namespace {

using blocks = std::vector<plan::file_block>;
using paths = std::vector<std::string>;

// A fresh folder per test: `out` is the output directory, `outside` a sibling that no write
// may ever reach.
struct fixture {
  et::test::scratch_dir scratch{"workspace"};
  fs::path tmp = scratch.dir;
  fs::path out = tmp / "out";
  fs::path outside = tmp / "outside";

  fixture() {
    fs::create_directories(out);
    fs::create_directories(outside);
  }

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

CAF_TEST(normalise_relative refuses names too long for a temporary name and temporary names) {
  // 219 bytes leave room for ".et-PID-RANDOM.tmp" within the file system's 255.
  CAF_CHECK_EQUAL(norm("d/" + std::string(219, 'a')), "d/" + std::string(219, 'a'));
  CAF_CHECK_EQUAL(norm("d/" + std::string(220, 'a')),
                  "<refused: a name in it is longer than 219 bytes>");
  std::string deep;
  for (int i = 0; i < 120; ++i)
    deep += "abcdefghi/";
  CAF_CHECK_EQUAL(norm(deep + "x"), "<refused: longer than 1024 bytes>");
  // A resumed run removes these as a crash's leftovers: a model must not name one.
  CAF_CHECK_EQUAL(norm("src/x.et-4242-0123456789abcdef.tmp"),
                  "<refused: it is named like et's temporary files (NAME.et-PID-RANDOM.tmp)>");
  CAF_CHECK_EQUAL(norm("src/x.et-4242.tmp"), "src/x.et-4242.tmp");
}

CAF_TEST_FIXTURE_SCOPE(workspace_files, fixture)

CAF_TEST(problems name refused paths and files another subtask owns without writing) {
  output_dir w{tmp / "fresh"};
  w.adopt("shared.h", 1);
  auto found = w.problems(2, {{"shared.h", "x", false},
                              {"../escape", "x", false},
                              {".git/hooks/pre-commit", "x", false},
                              {"mine.c", "x", false}});
  CAF_REQUIRE_EQUAL(found.size(), 3u);
  CAF_CHECK_EQUAL(found[0], "shared.h belongs to subtask 1 (write only your own files)");
  CAF_CHECK(found[1].find("../escape") != std::string::npos);
  CAF_CHECK(found[2].find(".git/hooks/pre-commit") != std::string::npos);
  CAF_CHECK(w.problems(1, {{"shared.h", "y", false}}).empty()); // its own file
  CAF_CHECK(!fs::exists(tmp / "fresh"));                        // nothing touched
}

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
  CAF_CHECK_EQUAL(report.refused,
                  (std::vector<refused_path>{
                      {"../escape.txt", "escapes the output directory", refusal::escapes},
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

CAF_TEST(written files are 0644 or 0755 on request and never keep a setuid mode) {
  struct umask_zero {
    mode_t old = ::umask(0);
    ~umask_zero() { ::umask(old); }
  } wide; // the umask can narrow modes, never widen them
  auto mode = [](const fs::path& p) {
    struct stat st {};
    ::lstat(p.c_str(), &st);
    return static_cast<unsigned>(st.st_mode & 07777);
  };
  output_dir dir{out};
  dir.write(1, {{"bin/tool", "#!/bin/sh\n"}});
  CAF_CHECK_EQUAL(mode(out / "bin"), 0755u);
  CAF_CHECK_EQUAL(mode(out / "bin/tool"), 0644u); // a #! line alone does not make it executable
  fs::permissions(out / "bin/tool", fs::perms(04755)); // setuid, as a previous owner left it
  dir.write(1, {{"bin/tool", "#!/bin/sh\necho hi\n"}});
  CAF_CHECK_EQUAL(mode(out / "bin/tool"), 0644u);
  plan::file_block script{"run.sh", "#!/bin/sh\n", true};
  fs::permissions(out / "bin", fs::perms(02777)); // setgid, world-writable folder
  dir.write(1, {script, {"bin/other", "x", true}});
  CAF_CHECK_EQUAL(mode(out / "run.sh"), 0755u);
  CAF_CHECK_EQUAL(mode(out / "bin/other"), 0755u);
  // A umask that narrows is respected.
  ::umask(077);
  dir.write(1, {{"private/notes.txt", "x"}, {"private/run.sh", "x", true}});
  CAF_CHECK_EQUAL(mode(out / "private"), 0700u);
  CAF_CHECK_EQUAL(mode(out / "private/notes.txt"), 0600u);
  CAF_CHECK_EQUAL(mode(out / "private/run.sh"), 0700u);
}

CAF_TEST(paths where a file would run on its own are refused at any depth and in any case) {
  fs::create_directories(out / ".git" / "hooks");
  put(out / ".git" / "config", "[core]\n");
  output_dir dir{out};
  auto report = dir.write(1, {{".git/config", "[core]\n\tfsmonitor = touch pwned\n"},
                              {".git/hooks/pre-commit", "x"},
                              {"sub/.GIT/config", "x"},
                              {".Git./config", "x"},
                              {"GIT~1/config", "x"},
                              {".g\u200Cit/config", "x"},
                              {".hg/hgrc", "x"},
                              {".svn/x", "x"},
                              {".bzr/x", "x"},
                              {".envrc", "x"},
                              {"web/.envrc", "x"},
                              {".direnv/x", "x"},
                              {".vscode/tasks.json", "x"},
                              {".idea/workspace.xml", "x"},
                              {".husky/pre-commit", "x"},
                              {".pre-commit-config.yaml", "x"},
                              {"lefthook.yml", "x"},
                              {".lefthook-local.yaml", "x"},
                              {".config/lefthook.yml", "x"},
                              {".overcommit.yml", "x"},
                              {".exrc", "x"},
                              {".dir-locals.el", "x"},
                              {"ok.txt", "ok"}});
  CAF_CHECK_EQUAL(report.written, (paths{"ok.txt"}));
  CAF_REQUIRE_EQUAL(report.refused.size(), 22u);
  for (const auto& r : report.refused) {
    if (r.path.find("\u200C") != std::string::npos) { // HFS+ ignores it, et refuses it sooner
      CAF_CHECK_NOT_EQUAL(r.reason.find("invisible character (U+200C)"), std::string::npos);
      continue;
    }
    CAF_CHECK(r.kind == refusal::runs_on_its_own);
    CAF_CHECK(r.reason.rfind("runs on its own: ", 0) == 0);
  }
  CAF_CHECK_EQUAL(report.refused.front().reason,
                  "runs on its own: .git/ (version control metadata)");
  CAF_CHECK_EQUAL(read(out / ".git" / "config"), "[core]\n");
  CAF_CHECK(fs::is_empty(out / ".git" / "hooks"));
  CAF_CHECK_EQUAL(listing(out), (paths{".git", ".git/config", ".git/hooks", "ok.txt"}));
  CAF_CHECK(dir.owners().size() == 1u);
}

CAF_TEST(one answer writes at most a thousand files) {
  output_dir dir{out};
  std::vector<plan::file_block> many;
  for (int i = 0; i < 1002; ++i)
    many.push_back({"f/" + std::to_string(i), ""});
  auto report = dir.write(1, many);
  CAF_CHECK_EQUAL(report.written.size(), 1000u);
  CAF_REQUIRE_EQUAL(report.refused.size(), 2u);
  CAF_CHECK_EQUAL(report.refused[0].path, "f/1000");
  CAF_CHECK_EQUAL(report.refused[0].reason, "one answer writes at most 1000 files");
  CAF_CHECK(!fs::exists(out / "f" / "1000"));
}

CAF_TEST(ordinary dot files and ci workflows may be written) {
  output_dir dir{out};
  auto report = dir.write(1, {{".gitignore", "build/\n"},
                              {".gitattributes", "* text=auto\n"},
                              {".github/workflows/ci.yml", "on: push\n"},
                              {".env.example", "A=1\n"},
                              {"src/git/config.cpp", "x"},
                              {"docs/.gitkeep", ""}});
  CAF_CHECK(report.refused.empty());
  CAF_CHECK_EQUAL(report.written.size(), 6u);
}

CAF_TEST(refusals say what kind they are) {
  fs::create_directory_symlink(outside, out / "link");
  fs::create_directories(out / "d");
  output_dir dir{out};
  auto report = dir.write(1, {{"../x", "x"}, {"/x", "x"}, {"link/x", "x"}, {"d", "x"}});
  CAF_REQUIRE_EQUAL(report.refused.size(), 4u);
  CAF_CHECK(report.refused[0].kind == refusal::escapes);
  CAF_CHECK(report.refused[1].kind == refusal::invalid_path);
  CAF_CHECK(report.refused[2].kind == refusal::symlink);
  CAF_CHECK(report.refused[3].kind == refusal::not_a_file);
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
