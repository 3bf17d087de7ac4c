#define CAF_SUITE apps.session
#include "caf/test/unit_test.hpp"

#include <fstream>
#include <unistd.h>

#include "app_test.hpp"

// `et session` against a real tmux, on a private server (ET_TMUX_SOCKET and
// TMUX_TMPDIR point into a temporary folder) so that the user's own sessions
// are never touched. The et binary runs as a child process: the pane runs it
// again as `et chat`.

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace et::test;

namespace {

struct fixture : scratch_dir {
  std::string socket = "et-test-" + std::to_string(::getpid());
  et::session::env_vars env{{"ET_TMUX_SOCKET", socket},
                            {"TMUX_TMPDIR", dir.string()},
                            {"XDG_STATE_HOME", (dir / "state").string()}};

  fixture() : scratch_dir("session-test") {
    if (!et::session::find_on_path("tmux"))
      CAF_FAIL("tmux is not installed (scripts/install-deps installs it)");
  }

  ~fixture() { (void)et::session::run_process({"tmux", "-L", socket, "kill-server"}, env); }

  outcome et(std::vector<std::string> args) { return run_et_binary(args, env); }

  // Starts a scribe session from the demo config; returns its name.
  std::string spawn(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"session",   "spawn",     "--role", "scribe", "--config",
                                  demo_config, "--backend", "tmux",   "--dir",  dir.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = et(args);
    CAF_REQUIRE_EQUAL(r.code, 0);
    auto name = r.out.substr(0, r.out.find('\n'));
    CAF_REQUIRE(name.starts_with("et-scribe-"));
    return name;
  }

  // Polls `et session logs` every 50 ms for up to 10 s until it shows `part`.
  std::string logs_showing(const std::string& name, std::string_view part) {
    std::string last;
    auto shown = [&] {
      last = et({"session", "logs", name}).out;
      return has(last, part);
    };
    if (eventually(shown, 10s, 50ms))
      return last;
    CAF_FAIL("logs of " << name << " never showed \"" << part << "\"; last:\n" << last);
    return last;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(session_tests, fixture)

CAF_TEST(list with no tmux server prints no sessions and exits 0) {
  auto r = et({"session", "list"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "no sessions\n");
  CAF_CHECK_EQUAL(r.err, "");
}

CAF_TEST(a spawned session is listed with its role and directory) {
  auto name = spawn();
  auto r = et({"session", "list"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.out.starts_with("NAME"));
  auto row = r.out.substr(r.out.find(name));
  CAF_CHECK(has(row, "scribe"));
  CAF_CHECK(has(row, fs::canonical(dir).string()) || has(row, dir.string()));
}

CAF_TEST(a folder whose name holds a tmux format is the pane s folder and runs nothing) {
  auto marker = dir / "MARK";
  auto weird = dir / ("proj-#(touch " + marker.string() + ")x");
  fs::create_directories(weird);
  auto r = et({"session", "spawn", "--role", "scribe", "--config", demo_config, "--backend", "tmux",
               "--dir", weird.string()});
  CAF_REQUIRE_EQUAL(r.code, 0);
  auto name = r.out.substr(0, r.out.find('\n'));
  auto listed = et({"session", "list"}).out;
  auto row = listed.substr(std::min(listed.size(), listed.find(name)));
  CAF_CHECK(has(row, fs::canonical(weird).string()));
  CAF_CHECK(!fs::exists(marker));
}

CAF_TEST(text with shell metacharacters arrives literally and the answer shows in logs) {
  auto name = spawn();
  auto text = "$(rm -rf x); echo \"hi\"";
  auto sent = et({"session", "send", name, text});
  CAF_CHECK_EQUAL(sent.code, 0);
  auto logs = logs_showing(name, "count_words");
  CAF_CHECK(has(logs, std::string{"## you\n\n"} + text + "\n"));
  CAF_CHECK(has(logs, "## scribe"));
}

CAF_TEST(a first prompt given to spawn is answered) {
  auto name = spawn({"--", "-starts with a dash;"});
  auto logs = logs_showing(name, "count_words");
  CAF_CHECK(has(logs, "-starts with a dash;\n"));
}

CAF_TEST(kill ends the session) {
  auto name = spawn();
  auto r = et({"session", "kill", name});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(et({"session", "list"}).out, "no sessions\n");
}

CAF_TEST(an unknown session is a one line error naming it with exit 2) {
  spawn(); // a server runs, the name is just not there
  for (auto verb : {"kill", "send", "logs", "attach"}) {
    std::vector<std::string> args{"session", verb, "et-nope-0000"};
    if (std::string{verb} == "send")
      args.push_back("hi");
    auto r = et(args);
    CAF_CHECK_EQUAL(r.code, 2);
    CAF_CHECK_EQUAL(r.err,
                    "et session " + std::string{verb} + ": no et session named \"et-nope-0000\"\n");
  }
}

CAF_TEST(attach without a terminal is refused) {
  auto name = spawn();
  auto r = et({"session", "attach", name});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "needs a terminal"));
}

CAF_TEST(an unknown role is refused before any session starts) {
  // demo.yaml has defaults.model, which serves any role; this file has none.
  auto strict = dir / "strict.yaml";
  std::ofstream{strict}
      << "providers: {sim: {type: mock}}\nmodels: {m: {provider: sim, model: m}}\n"
      << "roles: {scribe: {model: m}}\n";
  auto r = et({"session", "spawn", "--role", "scribble", "--config", strict.string()});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "unknown role \"scribble\"; did you mean \"scribe\"?"));
}

CAF_TEST(an agents entry runs its command and gets the prompt once ready) {
  auto file = dir / "agents.yaml";
  std::ofstream{file} << "providers: {sim: {type: mock}}\nmodels: {m: {provider: sim, model: m}}\n"
                      << "agents:\n"
                      << "  echoer:\n"
                      << "    command: sh -c 'echo \"$$GREETING from {role}\"; cat'\n"
                      << "    env: {GREETING: hello}\n"
                      << "    ready: \"hello from\"\n";
  auto r = et({"session", "spawn", "--agent", "echoer", "--config", file.string(), "--backend",
               "tmux", "typed in;"});
  CAF_REQUIRE_EQUAL(r.code, 0);
  auto name = r.out.substr(0, r.out.find('\n'));
  CAF_CHECK(name.starts_with("et-echoer-"));
  auto logs = logs_showing(name, "typed in;\ntyped in;"); // the tty echo, then cat
  CAF_CHECK(has(logs, "hello from echoer"));
}

CAF_TEST(a line break in sent text is refused and never runs as a second command) {
  auto file = dir / "shell.yaml";
  std::ofstream{file} << "providers: {sim: {type: mock}}\nmodels: {m: {provider: sim, model: m}}\n"
                      << "agents:\n  shell: {command: sh}\n";
  auto r = et({"session", "spawn", "--agent", "shell", "--config", file.string(), "--backend",
               "tmux", "--dir", dir.string()});
  CAF_REQUIRE_EQUAL(r.code, 0);
  auto name = r.out.substr(0, r.out.find('\n'));
  auto marker = dir / "marker";
  auto sent = et({"session", "send", name, "echo a\ntouch " + marker.string()});
  CAF_CHECK_EQUAL(sent.code, 2);
  CAF_CHECK(has(sent.err, "et session send: the text contains a line break"));
  auto escape = et({"session", "send", name, "echo \x1b[2J"});
  CAF_CHECK_EQUAL(escape.code, 2);
  CAF_CHECK(has(escape.err, "control character 0x1b"));
  // The shell runs commands in order: once a later one has run, an earlier
  // one would have too.
  auto done = dir / "done";
  CAF_CHECK_EQUAL(et({"session", "send", name, "touch " + done.string()}).code, 0);
  CAF_CHECK(eventually([&] { return fs::exists(done); }, 10s, 50ms));
  CAF_CHECK(!fs::exists(marker));
}

CAF_TEST(a first prompt to type with a line break is refused before any session starts) {
  auto file = dir / "typist.yaml";
  std::ofstream{file} << "providers: {sim: {type: mock}}\nmodels: {m: {provider: sim, model: m}}\n"
                      << "agents:\n  typist: {command: cat}\n";
  auto r = et({"session", "spawn", "--agent", "typist", "--config", file.string(), "--backend",
               "tmux", "line one\nline two"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "et session spawn: the first prompt is typed into the pane, and the text "
                       "contains a line break"));
  CAF_CHECK_EQUAL(et({"session", "list"}).out, "no sessions\n");
}

CAF_TEST(an agent s env reaches its pane but no process s command line) {
  const std::string value = "s3cr3t-" + std::to_string(::getpid()) + "-VALUE";
  auto file = dir / "env.yaml";
  auto seen = dir / "seen";
  std::ofstream{file} << "providers: {sim: {type: mock}}\nmodels: {m: {provider: sim, model: m}}\n"
                      << "agents:\n  keeper:\n"
                      << "    command: sh -c 'printf %s \"$$API_TOKEN\" > " << seen.string()
                      << "; exec sleep 60'\n"
                      << "    env: {API_TOKEN: " << value << "}\n";
  auto r = et({"session", "spawn", "--agent", "keeper", "--config", file.string(), "--backend",
               "tmux", "--dir", dir.string()});
  CAF_REQUIRE_EQUAL(r.code, 0);
  CAF_REQUIRE(eventually([&] { return read_file(seen) == value; }, 10s, 50ms));
  // The tmux server (forked from the client that started it, so it keeps
  // that client's argv) and the pane are alive now; none may show the value.
  size_t scanned = 0;
  for (const auto& entry : fs::directory_iterator{"/proc"}) {
    auto cmdline = read_file(entry.path() / "cmdline");
    scanned += cmdline.empty() ? 0 : 1;
    bool leaked = has(cmdline, value);
    if (leaked)
      CAF_MESSAGE("the value is in " << entry.path().string() << "/cmdline: " << cmdline);
    CAF_CHECK(!leaked);
  }
  CAF_CHECK_GREATER(scanned, 2u);
  // The file that carried it is gone.
  CAF_CHECK(fs::is_empty(dir / "state" / "electrictown" / "sessions")
            || !fs::exists(dir / "state" / "electrictown" / "sessions"));
}

CAF_TEST(an unknown agent suggests the nearest) {
  auto r = et({"session", "spawn", "--agent", "ett", "--config", demo_config});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "unknown agent \"ett\"; did you mean \"et\"?"));
}

CAF_TEST_FIXTURE_SCOPE_END()
