#define CAF_SUITE libet.config.agents
#include "loader_support.hpp"

// The `agents` section: agent CLIs that `et session spawn --agent` launches.

using namespace loader_test;
using strings = std::vector<std::string>;

CAF_TEST(an agent command is split into words with quotes and placeholders kept) {
  auto s = valid(base + R"(agents:
  claude:
    command: claude --add-dir "{dir}" -p '{prompt}' --name 'a b'\ c
    env: {CLAUDE_HOME: $HOME/.claude}
    ready: "^> "
)");
  CAF_REQUIRE_EQUAL(s.agents.count("claude"), 1u);
  const auto& a = s.agents.at("claude");
  CAF_CHECK_EQUAL(a.words,
                  (strings{"claude", "--add-dir", "{dir}", "-p", "{prompt}", "--name", "a b c"}));
  CAF_CHECK_EQUAL(a.env.at("CLAUDE_HOME"), "/home/tester/.claude");
  CAF_CHECK_EQUAL(a.ready, "^> ");
}

CAF_TEST(double quotes take escaped quotes and backslashes) {
  auto s = valid(base + "agents:\n  x: {command: 'run \"say \\\"hi\\\" \\\\ now\"'}\n");
  CAF_CHECK_EQUAL(s.agents.at("x").words, (strings{"run", "say \"hi\" \\ now"}));
}

CAF_TEST(an unknown key in an agent suggests the nearest) {
  CAF_CHECK_EQUAL(error_at(base + "agents:\n  x: {command: aider, redy: ok}\n", "agents.x.redy"),
                  "unknown key \"redy\"; did you mean \"ready\"?");
}

CAF_TEST(an agent needs a command) {
  CAF_CHECK_EQUAL(error_at(base + "agents:\n  x: {ready: ok}\n", "agents.x.command"),
                  "missing command (the agent's command line template)");
  CAF_CHECK_EQUAL(error_at(base + "agents:\n  x: {command: \"  \"}\n", "agents.x.command"),
                  "the command is empty");
}

CAF_TEST(an unbalanced quote is an error) {
  CAF_CHECK_EQUAL(error_at(base + "agents:\n  x: {command: \"aider 'oops\"}\n", "agents.x.command"),
                  "unbalanced single quote");
}

CAF_TEST(an unknown placeholder suggests the nearest) {
  CAF_CHECK_EQUAL(
      error_at(base + "agents:\n  x: {command: \"aider {promt}\"}\n", "agents.x.command"),
      "unknown placeholder {promt}; did you mean {prompt}? (known: {dir}, {prompt}, "
      "{role}, {session})");
}

CAF_TEST(an invalid ready expression is an error) {
  auto msg = error_at(base + "agents:\n  x: {command: aider, ready: \"(\"}\n", "agents.x.ready");
  CAF_CHECK(msg.find("not a valid regular expression") == 0);
}

CAF_TEST(an invalid environment name is an error) {
  CAF_CHECK_EQUAL(
      error_at(base + "agents:\n  x: {command: aider, env: {1X: y}}\n", "agents.x.env.1X"),
      "\"1X\" is not a valid environment variable name");
}

CAF_TEST(an environment reference in an agent command is refused but a dollar sign is text) {
  CAF_CHECK_EQUAL(
      error_at(base + "agents:\n  x: {command: \"tool --token ${HOME}\"}\n", "agents.x.command"),
      "an environment reference ($NAME) would put its value on the agent's command line, which "
      "every user of the machine can read; pass it in env: (the agent reads its environment), "
      "or write $$ for a dollar sign");
  auto s = valid(base + "agents:\n  x: {command: \"sh -c 'echo $$HOME'\"}\n");
  CAF_CHECK_EQUAL(s.agents.at("x").words, (strings{"sh", "-c", "echo $HOME"}));
}

CAF_TEST(et is the built - in agent and cannot be redefined) {
  CAF_CHECK_EQUAL(error_at(base + "agents:\n  et: {command: et chat}\n", "agents.et"),
                  "\"et\" is the built-in agent (et chat); choose another name");
}

CAF_TEST(agents is a known top - level key) {
  CAF_CHECK_EQUAL(error_at(base + "agent: {}\n", "agent"),
                  "unknown key \"agent\"; did you mean \"agents\"?");
}
