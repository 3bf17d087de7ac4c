#define CAF_SUITE libet.workspace.sandbox
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "et/config/paths.hpp"
#include "et/workspace/verify.hpp"
#include "sandbox_test.hpp"
#include "temp_dir.hpp"

// What the verify sandbox shows of the machine: an allow list (the system's folders, the
// home's toolchains, PATH, what the config adds) with a private, empty home, and the choice to
// run model-written code without it only when asked. Tests that need bwrap say so and pass
// where it cannot run.

using namespace et;
using namespace et::workspace;
using et::test::sandbox_works;
using et::test::write;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using paths = std::vector<fs::path>;

namespace {

bool has(const paths& v, const fs::path& p) {
  return std::find(v.begin(), v.end(), p) != v.end();
}

struct fixture {
  et::test::scratch_dir out_dir{"sandbox"};
  // Outside /tmp, which the sandbox replaces: a home and a folder of the user's it must not show.
  et::test::scratch_dir home_dir{"sandbox-home", et::test::outside_tmp()};
  et::test::scratch_dir other_dir{"sandbox-other", et::test::outside_tmp()};
  et::test::scratch_dir third_dir{"sandbox-third", et::test::outside_tmp()};
  fs::path out = fs::canonical(out_dir.dir);
  fs::path home = fs::canonical(home_dir.dir);
  fs::path other = fs::canonical(other_dir.dir);
  fs::path third = fs::canonical(third_dir.dir);

  command_outcome run(const std::string& line, const sandbox_view& view) {
    command_spec s{line, out, 20s, 64 * 1024};
    s.env = std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=" + home.string()};
    s.wrapper = sandbox_wrapper(probe_sandbox().bwrap, out, view);
    return et::test::ran(s);
  }

  // The same line outside the sandbox: the control that shows a test can fail.
  command_outcome run_free(const std::string& line) {
    command_spec s{line, out, 20s, 64 * 1024};
    s.env = std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=" + home.string()};
    return et::test::ran(s);
  }
};

// A listening UNIX socket at `path`, removed at the end; `ok` false where it cannot be made.
struct unix_listener {
  int fd = -1;
  fs::path path;
  bool ok = false;
  explicit unix_listener(fs::path at) : path(std::move(at)) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    auto p = path.string();
    if (fd < 0 || p.size() >= sizeof a.sun_path)
      return;
    p.copy(a.sun_path, p.size());
    ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd, 1) == 0;
  }
  ~unix_listener() {
    if (fd >= 0)
      ::close(fd);
    if (ok)
      ::unlink(path.c_str());
  }
};

sandbox_probe working() {
  return sandbox_probe{"/usr/bin/bwrap", ""};
}

sandbox_probe broken() {
  return sandbox_probe{"", "bwrap (bubblewrap) is not installed"};
}

} // namespace

CAF_TEST(without the sandbox verify runs only when asked to) {
  auto on = choose_sandbox(config::sandbox_mode::on, broken());
  CAF_CHECK(on.bwrap.empty());
  CAF_CHECK_NOT_EQUAL(on.refusal.find("bwrap (bubblewrap) is not installed"), std::string::npos);
  CAF_CHECK_NOT_EQUAL(on.refusal.find("--sandbox off"), std::string::npos);
  auto lenient = choose_sandbox(config::sandbox_mode::automatic, broken());
  CAF_CHECK(lenient.refusal.empty() && lenient.bwrap.empty());
  CAF_CHECK_NOT_EQUAL(lenient.note.find("without a sandbox"), std::string::npos);
  auto off = choose_sandbox(config::sandbox_mode::off, working());
  CAF_CHECK(off.bwrap.empty() && off.refusal.empty() && off.note.empty());
  for (auto mode : {config::sandbox_mode::on, config::sandbox_mode::automatic}) {
    auto used = choose_sandbox(mode, working());
    CAF_CHECK_EQUAL(used.bwrap, "/usr/bin/bwrap");
    CAF_CHECK(used.refusal.empty() && used.note.empty());
  }
  CAF_CHECK(config::settings{}.verify.sandbox == config::sandbox_mode::on);
}

CAF_TEST_FIXTURE_SCOPE(sandbox_tests, fixture)

CAF_TEST(credentials are the stores that exist under home) {
  write(home / ".ssh" / "id_ed25519", "KEY");
  write(home / ".netrc", "machine x password y");
  write(home / ".config" / "gh" / "hosts.yml", "token");
  write(home / ".config" / "nvim" / "init.lua", "");
  write(home / ".m2" / "settings.xml", "<password>x</password>");
  auto found = credential_paths(home);
  std::sort(found.begin(), found.end());
  CAF_CHECK_EQUAL(found, (paths{home / ".config/gh", home / ".m2/settings.xml", home / ".netrc",
                                home / ".ssh"}));
  CAF_CHECK(credential_paths("relative/home").empty());
}

CAF_TEST(a verify view shows the home toolchains and PATH but never a folder holding the home) {
  write(home / ".cargo" / "bin" / "cargo", "");
  write(home / ".cargo" / "credentials.toml", "token");
  write(home / "notes.txt", "");
  auto path = "bin:/usr/bin:" + (home / ".cargo/bin").string() + ":" + home.parent_path().string()
              + ":" + home.string() + ":/no/such/folder";
  auto v = verify_view(home, path, {other}, {out / "hidden"});
  CAF_CHECK_EQUAL(v.home, home);
  CAF_CHECK(has(v.read_only, home / ".cargo/bin")); // its bin, not its credentials
  CAF_CHECK(!has(v.read_only, home / ".cargo"));
  CAF_CHECK(has(v.read_only, "/usr/bin"));
  CAF_CHECK(has(v.read_only, home / ".cargo/bin"));
  CAF_CHECK(has(v.read_only, other));
  CAF_CHECK(!has(v.read_only, home.parent_path()));
  CAF_CHECK(!has(v.read_only, home));
  CAF_CHECK(!has(v.read_only, "bin"));
  CAF_CHECK(!has(v.read_only, "/no/such/folder"));
  CAF_CHECK(has(v.hidden, home / ".cargo/credentials.toml"));
  CAF_CHECK(has(v.hidden, out / "hidden"));
  CAF_CHECK(verify_view("relative", "", {}, {}).home.empty());
  CAF_CHECK(verify_view("/", "", {}, {}).home.empty());
}

CAF_TEST(the bin of a venv or a conda env on PATH shows the whole env) {
  write(other / "venv" / "pyvenv.cfg", "home = /usr/bin\n");
  write(other / "venv" / "bin" / "python", "");
  write(other / "conda" / "conda-meta" / "history", "");
  write(other / "conda" / "bin" / "python", "");
  write(other / "tools" / "bin" / "tool", "");
  auto path = (other / "venv/bin").string() + ":" + (other / "conda/bin").string() + ":"
              + (other / "tools/bin").string();
  auto v = verify_view(home, path, {}, {});
  CAF_CHECK(has(v.read_only, other / "venv"));
  CAF_CHECK(has(v.read_only, other / "conda"));
  CAF_CHECK(has(v.read_only, other / "tools/bin")); // a plain bin/ is shown alone
  CAF_CHECK(!has(v.read_only, other / "tools"));
}

CAF_TEST(a verify view never shows a home or a private folder even without HOME) {
  auto v = verify_view("", "/home:/root:/tmp:/var/run:/:/usr/bin", {}, {});
  CAF_CHECK_EQUAL(v.read_only, paths{"/usr/bin"});
  CAF_CHECK(v.home.empty());
}

CAF_TEST(the sandbox shows nothing outside its allow list) {
  if (!sandbox_works())
    return;
  write(other / "project.txt", "PROJECT");
  // A file beside the scratch folders (in the build dir, or /var/tmp for a clone in /tmp).
  auto beside = other.parent_path() / (other.filename().string() + ".beside");
  write(beside, "");
  auto line = "cat " + (other / "project.txt").string() + " 2>/dev/null; test -e " + beside.string()
              + " && echo BESIDE; echo end";
  CAF_CHECK_EQUAL(run_free(line).output, "PROJECTBESIDE\nend\n"); // control
  CAF_CHECK_EQUAL(run(line, {}).output, "end\n");
  fs::remove(beside);
  // What the view lists is shown, read-only.
  auto shown = run("cat " + (other / "project.txt").string() + "; { echo x > "
                       + (other / "w").string() + "; } 2>/dev/null || echo RO",
                   sandbox_view{{}, {other}, {}});
  CAF_CHECK_EQUAL(shown.output, "PROJECTRO\n");
}

CAF_TEST(the home is empty and private and its toolchains are read only without credentials) {
  if (!sandbox_works())
    return;
  write(home / "notes.txt", "NOTES");
  write(home / ".cargo" / "bin" / "tool", "#!/bin/sh\necho TOOL\n");
  fs::permissions(home / ".cargo" / "bin" / "tool", fs::perms::owner_all);
  write(home / ".cargo" / "credentials.toml", "TOKEN");
  auto view = verify_view(home, "/usr/bin:/bin", {}, {});
  auto line =
      std::string{"ls -A \"$HOME\"; cat \"$HOME/notes.txt\" 2>/dev/null; "
                  "\"$HOME/.cargo/bin/tool\"; cat \"$HOME/.cargo/credentials.toml\" 2>/dev/null; "
                  "echo new > \"$HOME/new\" && cat \"$HOME/new\"; "
                  "{ echo bad > \"$HOME/.cargo/bin/bad\"; } 2>/dev/null || echo RO"};
  CAF_CHECK_NOT_EQUAL(run_free(line).output.find("NOTES"), std::string::npos); // control
  fs::remove(home / "new");
  fs::remove(home / ".cargo" / "bin" / "bad");
  auto r = run(line, view);
  CAF_CHECK_EQUAL(r.output, ".cargo\nTOOL\nnew\nRO\n");
  CAF_CHECK(!fs::exists(home / "new"));
  CAF_CHECK(!fs::exists(home / ".cargo" / "bin" / "bad"));
  // A folder holding the home is never bound over it, whatever the view says.
  auto over = run("cat \"$HOME/notes.txt\" 2>/dev/null; echo end",
                  sandbox_view{home, {home.parent_path()}, {}});
  CAF_CHECK_EQUAL(over.output, "end\n");
}

CAF_TEST(a folder in tmp holding a socket is never shown) {
  et::test::scratch_dir agent{"sandbox-agent"}; // under /tmp, as ssh-agent's and tmux's are
  auto folder = fs::canonical(agent.dir);
  CAF_CHECK_EQUAL(config::refused_read_only(folder, home), ""); // control: no socket yet
  unix_listener sock{folder / "agent.sock"};
  if (!sock.ok) {
    CAF_MESSAGE("skipped: cannot make a socket here");
    return;
  }
  CAF_CHECK_NOT_EQUAL(config::refused_read_only(folder, home).find("holds a socket"),
                      std::string::npos);
  CAF_CHECK(!has(verify_view(home, folder.string(), {}, {}).read_only, folder));
}

CAF_TEST(a read only entry never shows the hosts tmp or run) {
  if (!sandbox_works())
    return;
  auto marker = fs::path{"/tmp"} / ("et-sandbox-marker-" + std::to_string(::getpid()));
  write(marker, "");
  auto line = "test -e " + marker.string() + " && echo SEEN || echo HIDDEN";
  CAF_CHECK_EQUAL(run_free(line).output, "SEEN\n"); // control
  CAF_CHECK_EQUAL(run(line, sandbox_view{{}, {"/tmp", "/run", "/var"}, {}}).output, "HIDDEN\n");
  fs::remove(marker);
}

CAF_TEST(a hidden file stays hidden wherever its folder is shown) {
  if (!sandbox_works())
    return;
  write(other / "cred", "CRED");
  fs::create_directory_symlink(other, home / "link");
  auto line = "cat " + (other / "cred").string() + " " + (home / "link/cred").string()
              + " 2>/dev/null; echo end";
  CAF_CHECK_EQUAL(run_free(line).output, "CREDCREDend\n"); // control
  CAF_CHECK_EQUAL(run(line, sandbox_view{{}, {other, home / "link"}, {other / "cred"}}).output,
                  "end\n");
}

CAF_TEST(a folder reached through a link in a shown folder is shown where the link leads) {
  if (!sandbox_works())
    return;
  write(third / "tool.txt", "TOOL");
  fs::create_directory_symlink(third, other / "link");
  auto line = "cat " + (other / "link/tool.txt").string() + " 2>/dev/null; echo end";
  CAF_CHECK_EQUAL(run(line, sandbox_view{{}, {other}, {}}).output, "end\n"); // not listed
  CAF_CHECK_EQUAL(run(line, sandbox_view{{}, {other, other / "link"}, {}}).output, "TOOLend\n");
}

CAF_TEST(the sandbox has no host sockets under run) {
  if (!sandbox_works())
    return;
  unix_listener bus{"/run/et-sandbox-test-" + std::to_string(::getpid()) + ".sock"};
  if (!bus.ok) {
    CAF_MESSAGE("skipped: cannot make a socket in /run here");
    return;
  }
  auto line = "test -S " + bus.path.string() + " && echo SEEN || echo HIDDEN";
  CAF_CHECK_EQUAL(run_free(line).output, "SEEN\n"); // control: it is there
  CAF_CHECK_EQUAL(run(line, {}).output, "HIDDEN\n");
}

CAF_TEST(the writable tmpfs folders hold at most what the view allows) {
  if (!sandbox_works())
    return;
  sandbox_view view{home, {}, {}, 1 << 20};
  auto fill = [&](const std::string& at, int kib) {
    return run("head -c " + std::to_string(kib * 1024) + " /dev/zero > " + at
                   + " 2>/dev/null && echo FITS || echo FULL",
               view)
        .output;
  };
  for (const auto* at : {"/tmp/f", "/var/tmp/f", "\"$HOME/f\""}) {
    CAF_CHECK_EQUAL(fill(at, 512), "FITS\n");
    CAF_CHECK_EQUAL(fill(at, 2048), "FULL\n");
  }
}

CAF_TEST(every system file to hide that exists here is hidden by the wrapper) {
  auto args = sandbox_wrapper("/usr/bin/bwrap", "/nonexistent-et/out", {});
  size_t checked = 0;
  for (const auto& path : system_hidden()) {
    std::error_code ec;
    if (!fs::exists(path, ec))
      continue;
    ++checked;
    bool hidden = false;
    for (size_t i = 1; i < args.size(); ++i)
      hidden =
          hidden || (args[i] == path && (args[i - 1] == "--tmpfs" || args[i - 1] == "/dev/null"));
    if (!hidden)
      CAF_FAIL(path << " is not hidden");
  }
  CAF_CHECK_GREATER(checked, 0u); // /etc/environment and /etc/shadow are on every Debian
}

CAF_TEST(password hashes and host keys stay hidden from a sandbox run as root) {
  if (!sandbox_works())
    return;
  auto line = std::string{"head -c 5 /etc/shadow 2>/dev/null | wc -c"};
  if (run_free(line).output == "0\n") {
    CAF_MESSAGE("skipped: /etc/shadow is not readable here (not root)");
    return;
  }
  CAF_CHECK_EQUAL(run(line, {}).output, "0\n");
  CAF_CHECK_EQUAL(run("test -e /etc/passwd && echo SYSTEM", {}).output, "SYSTEM\n");
}

CAF_TEST_FIXTURE_SCOPE_END()
