#define CAF_SUITE libet.workspace.sandbox_guard
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "et/workspace/sandbox_guard.hpp"
#include "et/workspace/verify.hpp"
#include "sandbox_test.hpp"
#include "temp_dir.hpp"

// What the sandbox keeps from verify commands beyond what it shows: the credentials in a
// folder it shows, and the files of the output dir that run on their own. Tests that
// need bwrap say so and pass where it cannot run.

using namespace et;
using namespace et::workspace;
using et::test::sandbox_works;
using et::test::write;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> keys(const auto_run_scan& s) {
  std::vector<std::string> out;
  for (const auto& [rel, id] : s.found)
    out.push_back(rel);
  return out;
}

struct fixture {
  et::test::scratch_dir out_dir{"guard"};
  // Outside /tmp, which the sandbox replaces: a folder it shows, as it shows a toolchain.
  et::test::scratch_dir home_dir{"guard-home", et::test::outside_tmp()};
  fs::path out = fs::canonical(out_dir.dir);
  fs::path home = fs::canonical(home_dir.dir);

  command_spec spec(const std::string& line, const std::vector<fs::path>& hidden = {}) {
    command_spec s{line, out, 20s, 64 * 1024};
    s.env = std::vector<std::string>{"PATH=/usr/bin:/bin"};
    s.wrapper = sandbox_wrapper(probe_sandbox().bwrap, out, sandbox_view{{}, {home}, hidden});
    return s;
  }

  command_outcome run(const std::string& line, const std::vector<fs::path>& hidden = {}) {
    return et::test::ran(spec(line, hidden));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(sandbox_guard_tests, fixture)

CAF_TEST(a scan finds the topmost entries that run on their own and follows no symlink) {
  write(out / ".git" / "hooks" / "pre-commit", "#!/bin/sh\n");
  write(out / "src" / ".envrc", "export X=1\n");
  write(out / "src" / "main.c", "int main(){}\n");
  write(home / ".vscode" / "tasks.json", "{}");
  fs::create_directory_symlink(home, out / "link");
  auto s = scan_auto_run(out);
  CAF_CHECK(s.complete);
  CAF_CHECK_EQUAL(keys(s), (std::vector<std::string>{".git", "src/.envrc"}));
  CAF_CHECK(!scan_auto_run(out, 2).complete);
}

CAF_TEST(the sandbox hides the credentials it is given) {
  if (!sandbox_works())
    return;
  write(home / ".ssh" / "id_ed25519", "PRIVATE-KEY");
  write(home / ".netrc", "NETRC-PASSWORD");
  write(home / "notes.txt", "readable");
  auto line = "cat " + (home / ".ssh/id_ed25519").string() + " " + (home / ".netrc").string() + " "
              + (home / "notes.txt").string() + " 2>/dev/null; true";
  CAF_CHECK_NOT_EQUAL(run(line).output.find("PRIVATE-KEY"), std::string::npos); // control
  auto r = run(line, credential_paths(home));
  CAF_CHECK_EQUAL(r.output, "readable");
}

CAF_TEST(a guarded verify cannot change what runs on its own and what it makes is removed) {
  if (!sandbox_works())
    return;
  write(out / ".git" / "config", "[core]\n");
  write(out / "sub" / ".envrc", "mine\n");
  auto g = run_guarded(spec("echo evil >> .git/config; echo evil > .envrc; mkdir -p deep/.vscode"
                            " && echo evil > deep/.vscode/tasks.json; mv sub moved && mkdir sub"
                            " && echo evil > sub/.envrc; echo built > a.out; true"));
  CAF_REQUIRE(g.outcome);
  CAF_CHECK_EQUAL(slurp(out / ".git" / "config"), "[core]\n");
  CAF_CHECK(!fs::exists(out / ".envrc"));
  CAF_CHECK(!fs::exists(out / "deep" / ".vscode"));
  CAF_CHECK_EQUAL(slurp(out / "a.out"), "built\n");
  // Wherever the folder went, the user's .envrc is kept and the planted one is not.
  for (const auto* d : {"sub", "moved"})
    if (fs::exists(out / d / ".envrc"))
      CAF_CHECK_EQUAL(slurp(out / d / ".envrc"), "mine\n");
  CAF_CHECK(fs::exists(out / "sub" / ".envrc") || fs::exists(out / "moved" / ".envrc"));
  std::sort(g.removed.begin(), g.removed.end());
  CAF_CHECK(std::find(g.removed.begin(), g.removed.end(), ".envrc") != g.removed.end());
  CAF_CHECK(std::find(g.removed.begin(), g.removed.end(), "deep/.vscode") != g.removed.end());
  CAF_CHECK(g.notes.empty());
}

CAF_TEST(a hidden path inside the output dir is hidden and one holding it is not ) {
  if (!sandbox_works())
    return;
  write(out / ".ssh" / "id_ed25519", "INSIDE-KEY");
  auto r = run("cat .ssh/id_ed25519 2>/dev/null; pwd", {out / ".ssh"});
  CAF_CHECK_EQUAL(r.output, out.string() + "\n");
  CAF_CHECK_EQUAL(slurp(out / ".ssh" / "id_ed25519"), "INSIDE-KEY"); // hidden, not emptied
  // Hiding the folder the command works in (or one above it) would leave it nowhere to run.
  auto holding = run("echo ran", {out, out.parent_path()});
  CAF_CHECK_EQUAL(holding.exit_code, 0);
  CAF_CHECK_EQUAL(holding.output, "ran\n");
}

CAF_TEST(what a symlink that runs on its own points to in the folder is read only too) {
  if (!sandbox_works())
    return;
  write(out / "env.sh", "mine\n");
  fs::create_symlink("env.sh", out / ".envrc");
  write(home / "elsewhere.sh", "theirs\n");
  auto g = run_guarded(spec("echo evil >> env.sh; rm .envrc && ln -s "
                            + (home / "elsewhere.sh").string() + " .envrc; true"));
  CAF_REQUIRE(g.outcome);
  CAF_CHECK_EQUAL(slurp(out / "env.sh"), "mine\n");
  // Put in place of the user's: not what was there (another target), so removed.
  CAF_CHECK(!fs::exists(fs::symlink_status(out / ".envrc")));
  CAF_CHECK_EQUAL(g.removed, (std::vector<std::string>{".envrc"}));
}

CAF_TEST(after a look that could not see everything nothing is removed) {
  if (!sandbox_works())
    return;
  for (int i = 0; i < 5; ++i)
    write(out / ("f" + std::to_string(i)), "");
  auto g = run_guarded(spec("echo x > .envrc"), nullptr, 3);
  CAF_REQUIRE(g.outcome);
  CAF_CHECK(fs::exists(out / ".envrc"));
  CAF_CHECK(g.removed.empty());
  CAF_REQUIRE_EQUAL(g.notes.size(), 1u);
  CAF_CHECK_NOT_EQUAL(g.notes[0].find("none the command made were removed"), std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
