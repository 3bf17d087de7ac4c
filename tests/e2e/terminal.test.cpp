#define CAF_SUITE e2e.terminal
#include "caf/test/unit_test.hpp"

#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <termios.h>

#include "child.hpp"
#include "temp_dir.hpp"

// Model text with terminal escape sequences, shown by the et binary on a pseudo-terminal: it
// must arrive neutralised (et/util/terminal.hpp), while the same run into a file stays
// byte-exact. The mock provider echoes the prompt, so the task is the "model text".

using namespace et::e2e;

namespace {

// OSC 52 (clipboard write), a title set, a screen clear, a C1 CSI (U+009B), BEL, backspace
// and a CR that would overwrite the line.
const std::string hostile = "look\x1b]52;c;ZWNobyBwd25lZA==\x07 \x1b]2;title\x1b\\ \x1b[2J\x1b[H"
                            "\xC2\x9B"
                            "31m \b\b safe\rEVIL";

struct pty_outcome {
  int code = -1;
  std::string output; // stdout and stderr together, as the terminal got them
};

// How often `part` occurs in `text`.
size_t occurrences(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++n;
  return n;
}

// Keys typed into a pseudo-terminal once the output shows `after` (a prompt), in turn.
struct typing {
  std::string after;
  std::string keys;
  size_t times = 1; ///< how many more times `after` shows before the keys go
};

// Runs `et args...` with stdout and stderr on a pseudo-terminal in raw mode (no newline
// translation), stdin from /dev/null; reads everything until the child is gone. With `keys`,
// stdin is the terminal too, in the modes a new terminal has, and each entry is typed once
// the output holds its `after` `times` times more than when the entry before it was typed.
pty_outcome run_on_pty(const std::vector<std::string>& args, std::vector<typing> keys = {}) {
  pty_outcome r;
  int master = -1, slave = -1;
  if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0)
    return r;
  termios t{};
  ::tcgetattr(slave, &t);
  if (keys.empty())
    ::cfmakeraw(&t);
  ::tcsetattr(slave, TCSANOW, &t);
  std::vector<std::string> argv{et_binary};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> ptrs;
  for (auto& a : argv)
    ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (keys.empty())
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  else
    posix_spawn_file_actions_adddup2(&actions, slave, 0);
  posix_spawn_file_actions_adddup2(&actions, slave, 1);
  posix_spawn_file_actions_adddup2(&actions, slave, 2);
  posix_spawn_file_actions_addclose(&actions, master);
  posix_spawn_file_actions_addclose(&actions, slave);
  pid_t pid = -1;
  auto spawned = posix_spawn(&pid, et_binary.c_str(), &actions, nullptr, ptrs.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(slave);
  if (spawned != 0) {
    ::close(master);
    return r;
  }
  auto deadline = std::chrono::steady_clock::now() + 15s;
  size_t seen = 0; // how often the next `after` had shown when the last keys went
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0)
      continue;
    auto n = ::read(master, buf, sizeof buf);
    if (n <= 0)
      break; // EIO: every slave descriptor is closed, the child is gone
    r.output.append(buf, static_cast<size_t>(n));
    if (!keys.empty() && occurrences(r.output, keys.front().after) >= seen + keys.front().times) {
      (void)!::write(master, keys.front().keys.data(), keys.front().keys.size());
      keys.erase(keys.begin());
      seen = keys.empty() ? 0 : occurrences(r.output, keys.front().after);
    }
  }
  ::close(master);
  ::kill(pid, SIGKILL); // no-op when it ended
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Bytes a terminal would obey: C0 controls but LF and TAB, DEL, and C1 in UTF-8 or raw.
bool has_raw_controls(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
      return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0)
      return true;
  }
  return false;
}

struct fixture : et::test::scratch_dir {
  fs::path config;

  fixture() : scratch_dir("e2e-terminal") {
    config = dir / "et.yaml";
    write_config("");
  }

  void write_config(const std::string& faults) {
    std::ofstream{config} << "providers:\n  sim: {type: mock, mock: {mode: echo" << faults
                          << "}}\nmodels: {m: {provider: sim, model: m}}\n"
                          << "roles: {polecat: {model: m}}\nretry: {attempts: 1}\n"
                          << "defaults: {state_dir: " << (dir / "state").string() << "}\n";
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(terminal_tests, fixture)

CAF_TEST(streamed model text reaches a terminal neutralised and a file byte exact) {
  auto tty = run_on_pty({"run", "--config", config.string(), hostile});
  CAF_CHECK_EQUAL(tty.code, 0);
  CAF_CHECK(has(tty.output, "look^[]52;c;ZWNobyBwd25lZA==^G ^[]2;title^[\\ ^[[2J^[[H^[[31m "
                            "^H^H safe^MEVIL"));
  CAF_CHECK(has(tty.output, "answered by")); // stderr came through too
  CAF_CHECK(!has_raw_controls(tty.output));
  auto piped = run_et(dir, {"run", "--config", config.string(), hostile});
  CAF_CHECK_EQUAL(piped.code, 0);
  CAF_CHECK(has(piped.out, hostile));
}

CAF_TEST(an upstream error quoting hostile text is neutralised on the terminal) {
  write_config(", faults: [{error: bad_request, on_calls: [1], message: \"bad\\e]52;c;eA==\\a\"}]");
  auto tty = run_on_pty({"run", "--config", config.string(), "hello"});
  CAF_CHECK_EQUAL(tty.code, 1);
  CAF_CHECK(has(tty.output, "bad^[]52;c;eA==^G"));
  CAF_CHECK(!has_raw_controls(tty.output));
}

CAF_TEST(et chat shows the answer neutralised and keeps its transcript private) {
  auto transcript = dir / "state" / "sessions" / "t.md";
  auto tty = run_on_pty(
      {"chat", "--config", config.string(), "--transcript", transcript.string(), hostile});
  CAF_CHECK_EQUAL(tty.code, 0);
  CAF_CHECK(has(tty.output, "look^[]52;c;"));
  CAF_CHECK(!has_raw_controls(tty.output));
  struct stat st {};
  CAF_REQUIRE(::stat(transcript.c_str(), &st) == 0);
  CAF_CHECK_EQUAL(st.st_mode & 07777, 0600u);
  CAF_REQUIRE(::stat(transcript.parent_path().c_str(), &st) == 0);
  CAF_CHECK_EQUAL(st.st_mode & 07777, 0700u);
  // The transcript is a file: it keeps the bytes as the model wrote them.
  CAF_CHECK(has(read_file(transcript), hostile));
}

CAF_TEST(et chat takes a paste as one question and edits the line in place) {
  auto transcript = dir / "state" / "sessions" / "p.md";
  // Each prompt asks for marked pastes once it takes keys (Ctrl-C a key, not a signal):
  // each entry is typed at the next prompt.
  const std::string ready = "\x1b[?2004h";
  auto tty = run_on_pty({"chat", "--config", config.string(), "--transcript", transcript.string()},
                        {{ready, "look: \x1b[200~line one\rline two\x03\x1b[201~\r"},
                         // Left twice, then X goes after a; a paste typed ahead of the answer
                         // waits for the next prompt and is one question there.
                         {ready, "abc\x1b[D\x1b[DX\r\x1b[200~p1\rp2\x1b[201~\r"},
                         // Ctrl-C drops a line, Ctrl-D on an empty one ends the chat.
                         {ready, "gone\x03\x04", 2}});
  CAF_CHECK_EQUAL(tty.code, 0);
  auto text = read_file(transcript);
  CAF_CHECK(has(text, "## you\n\nlook: line one\nline two\n"));
  CAF_CHECK(has(text, "## you\n\naXbc\n"));
  CAF_CHECK(!has(text, "gone"));
  CAF_CHECK(has(text, "## you\n\np1\np2\n"));
  CAF_CHECK_EQUAL(occurrences(text, "## you"), 3u);
  // The terminal is given back: marked pastes are asked off again.
  CAF_CHECK(has(tty.output, "\x1b[?2004l"));
}

CAF_TEST_FIXTURE_SCOPE_END()
