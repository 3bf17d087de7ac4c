#define CAF_SUITE libet.session.launch
#include "caf/test/unit_test.hpp"

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "et/session/launch.hpp"
#include "temp_dir.hpp"

using namespace et;
using namespace et::session;
using strings = std::vector<std::string>;

namespace {

launch_request request(std::string prompt) {
  return {"scribe", "/w d", std::move(prompt), "/usr/bin/et", "/etc/et.yaml", "/state"};
}

config::agent agent(strings words, std::string ready = "") {
  return {"claude", "", std::move(words), {{"K", "V"}}, std::move(ready)};
}

} // namespace

CAF_TEST(the built in agent is et chat with role and config and transcript) {
  auto l = et_chat_launch(request(""), "et-scribe-0001");
  CAF_CHECK_EQUAL(l.command,
                  (strings{"/usr/bin/et", "chat", "--role", "scribe", "--config", "/etc/et.yaml",
                           "--transcript", "/state/sessions/et-scribe-0001.md"}));
  CAF_CHECK_EQUAL(l.transcript, "/state/sessions/et-scribe-0001.md");
}

CAF_TEST(the first prompt is one argument after the end of options) {
  auto l = et_chat_launch(request("-rf $(x); y"), "n");
  CAF_CHECK_EQUAL((strings{l.command.end() - 2, l.command.end()}), (strings{"--", "-rf $(x); y"}));
}

CAF_TEST(the placeholders of an agent fill parts of single words) {
  auto a = agent({"claude", "--cwd={dir}", "{prompt}", "{role}/{session}"});
  auto l = agent_launch(a, request("a $(b) {dir}"), "et-claude-0001");
  CAF_CHECK_EQUAL(l.command,
                  (strings{"claude", "--cwd=/w d", "a $(b) {dir}", "scribe/et-claude-0001"}));
  CAF_CHECK_EQUAL(l.env.at("K"), "V");
  CAF_CHECK_EQUAL(l.transcript, "");
}

CAF_TEST(an agent takes the prompt itself only when its command says so) {
  CAF_CHECK(takes_prompt(agent({"claude", "-p", "{prompt}"})));
  CAF_CHECK(!takes_prompt(agent({"aider", "--yes"})));
}

CAF_TEST(readiness is a regex match on the screen) {
  CAF_CHECK(is_ready(agent({"x"}), "anything"));
  CAF_CHECK(is_ready(agent({"x"}, "^> $|ready"), "loading...\nready\n"));
  CAF_CHECK(!is_ready(agent({"x"}, "ready"), "loading...\n"));
  // A pane history of one 4 MB line: looked at in its last 4 KiB, where the prompt is. The
  // whole line would overflow libstdc++'s recursive matcher's stack.
  auto history = std::string(4'000'000, 'a') + "\n> ";
  CAF_CHECK(is_ready(agent({"x"}, "(a|b)*\n> "), history));
  CAF_CHECK(!is_ready(agent({"x"}, "^a{5000}"), history));
}

CAF_TEST(a transcript is read only where et keeps it and only as a regular file) {
  et::test::scratch_dir scratch{"transcript"};
  auto sessions = scratch.dir / "sessions";
  std::filesystem::create_directories(sessions);
  std::ofstream{sessions / "et-a-0001.md"} << "hello\n";
  int fd = open_transcript(sessions / "et-a-0001.md", "et-a-0001");
  CAF_CHECK_GREATER_OR_EQUAL(fd, 0);
  if (fd >= 0)
    ::close(fd);
  // The option is set by whatever runs in the pane: anything else is refused.
  CAF_CHECK_EQUAL(open_transcript("/dev/zero", "et-a-0001"), -1);
  CAF_CHECK_EQUAL(open_transcript(sessions / "et-a-0001.md", "et-b-0002"), -1);
  std::filesystem::create_symlink("/dev/zero", sessions / "et-c-0003.md");
  CAF_CHECK_EQUAL(open_transcript(sessions / "et-c-0003.md", "et-c-0003"), -1);
  CAF_REQUIRE_EQUAL(::mkfifo((sessions / "et-d-0004.md").c_str(), 0600), 0);
  CAF_CHECK_EQUAL(open_transcript(sessions / "et-d-0004.md", "et-d-0004"), -1);
}

CAF_TEST(a prompt or role that reads as an option is refused before any double dash) {
  auto a = agent({"claude", "{prompt}"});
  auto why = option_like_fill(a, request("--dangerously-skip-permissions"));
  CAF_REQUIRE(why);
  CAF_CHECK_EQUAL(*why, "the first prompt \"--dangerously-skip-permissions\" starts with \"-\" "
                        "and would reach agent claude as an option; put -- before {prompt} in its "
                        "command to take it as text");
  auto r = request("fine");
  r.role = "-x";
  CAF_CHECK(option_like_fill(agent({"tool", "--as", "{role}"}), r));
  // After "--", inside a word, or a value that does not start with "-": taken as text.
  CAF_CHECK(!option_like_fill(agent({"claude", "--", "{prompt}"}), request("-rf")));
  CAF_CHECK(!option_like_fill(agent({"claude", "-p={prompt}"}), request("-rf")));
  CAF_CHECK(!option_like_fill(agent({"claude", "{prompt}"}), request("fix -x")));
}
