#define CAF_SUITE apps.chat
#include "caf/test/unit_test.hpp"

#include <unistd.h>

#include <fstream>

#include "app_test.hpp"

// `et chat` as a child process with its input through a pipe, as a script or
// tmux's send-keys would type it, on the in-process mock provider.

using namespace et::test;

namespace {

struct fixture : scratch_dir {
  fixture() : scratch_dir("chat-test") {}

  // Runs et chat in `dir` with `input` on stdin; the ledger goes to dir/state.
  outcome chat(std::vector<std::string> args, const std::string& input) {
    args.insert(args.begin(), {"chat", "--dir", dir.string()});
    return run_et_binary(args, {{"XDG_STATE_HOME", (dir / "state").string()}}, input);
  }

  // A config whose role `solo` echoes the prompt, failing on the calls listed.
  std::string echo_config(const std::string& failing_calls = "") {
    auto file = dir / "echo.yaml";
    std::string faults;
    if (!failing_calls.empty())
      faults =
          ", faults: [{error: bad_request, on_calls: " + failing_calls + ", message: refused}]";
    std::ofstream{file} << "providers:\n  sim: {type: mock, mock: {mode: echo" << faults << "}}\n"
                        << "models: {m: {provider: sim, model: m}}\n"
                        << "roles: {solo: {model: m}}\nretry: {attempts: 1}\n";
    return file.string();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(chat_tests, fixture)

CAF_TEST(a piped conversation streams the answer and runs the commands) {
  auto r = chat({"--role", "scribe", "--config", demo_config}, "hello\n/cost\n/reset\n/quit\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.out.starts_with("Here is a small word counter:\n"));
  CAF_CHECK(has(r.out, "def count_words(text: str) -> int:"));
  CAF_CHECK(has(r.out, "spend of this chat: 1 call, "));
  CAF_CHECK(has(r.out, "by role"));
  CAF_CHECK(has(r.out, "conversation reset\n"));
  CAF_CHECK(!r.out.starts_with("> ") && !has(r.out, "\n> ")); // no prompt: stdin is a pipe
  CAF_CHECK(!has(r.out, "\033]2;")); // nor pane titles when stdout is not one
  CAF_CHECK_EQUAL(r.err, "");
}

CAF_TEST(end of input ends the chat like quit) {
  auto r = chat({"--role", "solo", "--config", echo_config()}, "one\ntwo\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "one\ntwo\n");
}

CAF_TEST(a line past the bound is not sent and ends the chat) {
  auto r = chat({"--role", "solo", "--config", echo_config()},
                "one\n" + std::string((4u << 20) + 1, 'x') + "\ntwo\n");
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK_EQUAL(r.out, "one\n"); // the long line was not asked, nor what came after it
  CAF_CHECK(has(r.err, "longer than 4 MiB"));
  auto last = chat({"--role", "solo", "--config", echo_config()}, "no newline at the end");
  CAF_CHECK_EQUAL(last.code, 0);
  CAF_CHECK_EQUAL(last.out, "no newline at the end\n");
}

CAF_TEST(each request carries the history and reset forgets it) {
  // Echo answers with the last user message, so the history shows in the
  // save file rather than the answers.
  auto r = chat({"--role", "solo", "--config", echo_config()},
                "/save early.md\none\ntwo\n/save both.md\n/reset\nthree\n/save last.md\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(has(r.err, "et chat: /save: nothing to save yet (no question was answered)\n"));
  CAF_CHECK(!std::filesystem::exists(dir / "early.md"));
  CAF_CHECK(has(r.out, "saved 2 turns to both.md\n"));
  CAF_CHECK(has(r.out, "saved 1 turn to last.md\n"));
  auto both = read_file(dir / "both.md");
  CAF_CHECK(has(both, "## you\n\none\n\n## solo\n\none\n\n## you\n\ntwo\n"));
  CAF_CHECK(!has(read_file(dir / "last.md"), "one"));
}

CAF_TEST(save writes no file through a symlink and keeps the transcript private) {
  std::filesystem::create_symlink(dir / "elsewhere.md", dir / "link.md");
  auto r = chat({"--role", "solo", "--config", echo_config()},
                "secret plans\n/save link.md\n/save mine.md\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(
      has(r.err, "et chat: /save: link.md is a symlink; /save writes only a file of its own"));
  CAF_CHECK(!std::filesystem::exists(dir / "elsewhere.md"));
  CAF_CHECK(has(read_file(dir / "mine.md"), "secret plans"));
  auto perms = std::filesystem::status(dir / "mine.md").permissions();
  CAF_CHECK((perms & std::filesystem::perms::group_all) == std::filesystem::perms::none);
  CAF_CHECK((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none);
}

CAF_TEST(save writes no file of another user) {
  std::ofstream{dir / "theirs.md"} << "their notes\n";
  std::filesystem::permissions(dir / "theirs.md", std::filesystem::perms::all);
  if (::chown((dir / "theirs.md").c_str(), 65534, 65534) != 0) {
    CAF_MESSAGE("skipped: cannot give a file to another user here (not root)");
    return;
  }
  auto r = chat({"--role", "solo", "--config", echo_config()}, "secret plans\n/save theirs.md\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(has(r.err, "theirs.md belongs to another user; /save writes only a file of its own"));
  CAF_CHECK_EQUAL(read_file(dir / "theirs.md"), "their notes\n");
}

CAF_TEST(a failed turn prints one line and leaves the history without it) {
  auto r =
      chat({"--role", "solo", "--config", echo_config("[1]")}, "first\nsecond\n/save after.md\n");
  CAF_CHECK_EQUAL(r.code, 1); // one question went unanswered: a script learns it
  CAF_CHECK_EQUAL(count(r.err, "\n"), 1u);
  CAF_CHECK(has(r.err, "et chat: bad_request"));
  CAF_CHECK(has(r.out, "second\n"));
  CAF_CHECK(has(r.out, "saved 1 turn to after.md\n"));
  CAF_CHECK(!has(read_file(dir / "after.md"), "first"));
}

CAF_TEST(a turn answered by a fallback says why in one line) {
  auto file = dir / "fallback.yaml";
  std::ofstream{file} << "providers:\n"
                      << "  sim: {type: mock, mock: {mode: echo, faults: [{error: auth, on_calls: "
                         "[1], message: invalid key}]}}\n"
                      << "  spare: {type: mock, mock: {mode: echo}}\n"
                      << "models: {m: {provider: sim, model: m}, b: {provider: spare, model: b}}\n"
                      << "roles: {solo: {model: m, fallbacks: [b]}}\nretry: {attempts: 1}\n";
  auto r = chat({"--role", "solo", "--config", file.string()}, "first\nsecond\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "first\nsecond\n");
  // The first turn fell back; the second found m cooling down or answering again.
  CAF_CHECK(r.err.starts_with("m: authentication failed; answered by b\n"));
  CAF_CHECK(!has(r.err, "invalid key")); // the provider's message stays in the journal
}

CAF_TEST(the transcript gets every turn) {
  auto transcript = dir / "sessions" / "et-solo-0001.md";
  auto r = chat({"--role", "solo", "--config", echo_config(), "--transcript", transcript.string()},
                "hello there\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(read_file(transcript), "## you\n\nhello there\n\n## solo\n\nhello there\n\n");
}

CAF_TEST(a first prompt is answered before input is read) {
  auto r = chat({"--role", "solo", "--config", echo_config(), "--", "-q first"}, "next\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "-q first\nnext\n");
}

CAF_TEST(an unknown command suggests the nearest and the chat goes on) {
  auto r = chat({"--role", "solo", "--config", echo_config()}, "/rest\nstill here\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.err, "et chat: unknown command /rest; did you mean /reset? (/help lists "
                         "them)\n");
  CAF_CHECK_EQUAL(r.out, "still here\n");
}

CAF_TEST(an unknown role is a usage error) {
  auto r = chat({"--role", "nobody", "--config", echo_config()}, "");
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "et chat: unknown role \"nobody\""));
}

CAF_TEST(the transcript is never written through a symlink nor changes its folder s mode) {
  std::filesystem::create_symlink(dir / "elsewhere.md", dir / "link.md");
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all
                                        | std::filesystem::perms::group_read
                                        | std::filesystem::perms::group_exec);
  auto r = chat(
      {"--role", "solo", "--config", echo_config(), "--transcript", (dir / "link.md").string()},
      "secret plans\n");
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(has(r.err, "et chat: warning: no transcript: cannot open"));
  CAF_CHECK(!std::filesystem::exists(dir / "elsewhere.md"));
  // The folder holding the transcript may be the user's home: its mode stays.
  auto perms = std::filesystem::status(dir).permissions();
  CAF_CHECK((perms & std::filesystem::perms::group_read) != std::filesystem::perms::none);
}

CAF_TEST_FIXTURE_SCOPE_END()
