#define CAF_SUITE libet.session.client
#include "caf/test/unit_test.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <iterator>

#include "et/session/client.hpp"
#include "et/session/env_file.hpp"
#include "temp_dir.hpp"

// The client against a fake tmux: what it runs and how it reads the answers.

using namespace et;
using namespace et::session;

namespace {

struct fixture {
  std::vector<std::vector<std::string>> calls;
  std::deque<result<process_result>> replies; // empty: exit 0, no output
  std::deque<uint16_t> suffixes{0x0001, 0x0002, 0x0003};

  process_runner runner() {
    return [this](const std::vector<std::string>& argv) -> result<process_result> {
      calls.push_back(argv);
      if (replies.empty())
        return process_result{0, "", ""};
      auto r = std::move(replies.front());
      replies.pop_front();
      return r;
    };
  }

  client tmux() { return client{server{backend::tmux, "t"}, runner()}; }

  suffix_source next_suffix() {
    return [this] {
      auto s = suffixes.front();
      suffixes.pop_front();
      return s;
    };
  }

  void reply(int code, std::string out, std::string err = "") {
    replies.push_back(process_result{code, std::move(out), std::move(err)});
  }

  // A list-sessions answer holding the session NAME.
  void listed(const std::string& name) {
    const std::string sep = "\x1f";
    reply(0, name + sep + "scribe" + sep + "/w" + sep + "100" + sep + "90" + sep + "/t.md" + sep
                 + "et:idle\n");
  }

  // The command word of call i (after "tmux -L t").
  std::string verb(size_t i) const { return calls.at(i).at(3); }
};

// A fresh folder for environment files, removed at the end.
struct env_folder : et::test::scratch_dir {
  env_folder() : scratch_dir("client") {}
};

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  CAF_REQUIRE_EQUAL(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

std::string contents(const std::filesystem::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

const std::string secret = "sk-SECRET'$(touch x)";

launch_maker agent_with_secret(const std::filesystem::path& env_dir) {
  return [env_dir](const std::string&) {
    return launch{{"agent", "--flag"}, {{"API_KEY", secret}}, "", env_dir};
  };
}

launch_maker chat_in_pane() {
  return [](const std::string& name) { return launch{{"et", "chat", name}, {}, "/t/" + name, {}}; };
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(client_tests, fixture)

CAF_TEST(no tmux server means no sessions) {
  reply(1, "", "no server running on /tmp/tmux-0/t\n");
  auto r = tmux().list();
  CAF_REQUIRE(r);
  CAF_CHECK(r->empty());
}

CAF_TEST(another tmux failure is an error with its message) {
  reply(1, "", "protocol version mismatch\n");
  auto r = tmux().list();
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().message, "tmux list-sessions: protocol version mismatch");
}

CAF_TEST(a missing tmux is an error) {
  replies.push_back(make_failure(errc::io_error, "cannot run tmux: No such file or directory"));
  CAF_CHECK(!tmux().list());
}

CAF_TEST(create starts the session and records its metadata) {
  auto r = tmux().create("scribe", "/w", chat_in_pane(), next_suffix(), 1234);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(*r, "et-scribe-0001");
  CAF_REQUIRE_EQUAL(calls.size(), 5u);
  CAF_CHECK_EQUAL(verb(0), "new-session");
  CAF_CHECK_EQUAL(calls[0].back(), "et-scribe-0001"); // the launch saw the name
  CAF_CHECK_EQUAL(calls[1].back(), "scribe");
  CAF_CHECK_EQUAL(calls[2].back(), "/w");
  CAF_CHECK_EQUAL(calls[3].back(), "1234");
  CAF_CHECK_EQUAL(calls[4].back(), "/t/et-scribe-0001");
}

CAF_TEST(a taken name is retried with a new suffix) {
  reply(1, "", "duplicate session: et-scribe-0001\n");
  auto r = tmux().create("scribe", "/w", chat_in_pane(), next_suffix(), 1);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(*r, "et-scribe-0002");
  CAF_CHECK_EQUAL(verb(1), "new-session");
}

CAF_TEST(an agent that exits at once is reported) {
  reply(0, "");
  reply(1, "", "no such session: =et-scribe-0001:\n");
  auto r = tmux().create("scribe", "/w", chat_in_pane(), next_suffix(), 1);
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().message.find("ended right after it started") != std::string::npos);
}

CAF_TEST(an unknown session is not found and nothing is sent) {
  listed("et-scribe-00ab");
  auto r = tmux().send("et-nope-0000", "hi");
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error().code == errc::not_found);
  CAF_CHECK_EQUAL(r.error().message, "no et session named \"et-nope-0000\"");
  CAF_CHECK_EQUAL(calls.size(), 1u);
}

CAF_TEST(send types the text then presses enter) {
  listed("et-scribe-00ab");
  CAF_REQUIRE(tmux().send("et-scribe-00ab", "a; b"));
  CAF_REQUIRE_EQUAL(calls.size(), 3u);
  CAF_CHECK_EQUAL(calls[1].back(), "a; b");
  CAF_CHECK_EQUAL(calls[2].back(), "Enter");
}

CAF_TEST(kill and capture act on a known session) {
  listed("et-scribe-00ab");
  CAF_CHECK(tmux().kill("et-scribe-00ab"));
  CAF_CHECK_EQUAL(verb(1), "kill-session");
  listed("et-scribe-00ab");
  reply(0, "screen text\n");
  auto screen = tmux().capture("et-scribe-00ab");
  CAF_REQUIRE(screen);
  CAF_CHECK_EQUAL(*screen, "screen text\n");
}

CAF_TEST(a capture past the bound says how much of the history was left out) {
  listed("et-scribe-00ab");
  // What was kept starts inside a line: that part goes too.
  process_result long_history{0, "ne cut\nthe last lines\n", ""};
  long_history.out_dropped = 12345;
  replies.push_back(long_history);
  auto screen = tmux().capture("et-scribe-00ab");
  CAF_REQUIRE(screen);
  CAF_CHECK_EQUAL(*screen, "[et: the first 12352 bytes of this pane's history were left "
                           "out]\nthe last lines\n");
}

CAF_TEST(find returns the session with its metadata) {
  listed("et-scribe-00ab");
  auto s = tmux().find("et-scribe-00ab");
  CAF_REQUIRE(s);
  CAF_CHECK_EQUAL(s->transcript, "/t.md");
  CAF_CHECK_EQUAL(s->created, 100);
}

CAF_TEST(an agent s environment reaches no command line only a private file) {
  env_folder f;
  auto r = tmux().create("agent", "/w", agent_with_secret(f.dir), next_suffix(), 1);
  CAF_REQUIRE(r);
  for (const auto& argv : calls)
    for (const auto& arg : argv) {
      CAF_CHECK(arg.find("sk-SECRET") == std::string::npos);
      CAF_CHECK(arg != "-e");
    }
  // new-session runs sh with the file, which then runs the agent's own words.
  const auto& start = calls.at(0);
  auto dash = std::find(start.begin(), start.end(), "--");
  CAF_REQUIRE(dash != start.end());
  CAF_REQUIRE_EQUAL(start.end() - dash, 8);
  CAF_CHECK_EQUAL(dash[1], "/bin/sh");
  CAF_CHECK_EQUAL(dash[6], "agent");
  CAF_CHECK_EQUAL(dash[7], "--flag");
  std::filesystem::path file = dash[5];
  CAF_CHECK_EQUAL(file.parent_path().parent_path(), f.dir);
  CAF_CHECK_EQUAL(mode_of(file), 0600u);
  CAF_CHECK_EQUAL(mode_of(file.parent_path()), 0700u);
  CAF_CHECK_EQUAL(contents(file), "export API_KEY='sk-SECRET'\\''$(touch x)'\n");
}

CAF_TEST(the folders made for the environment file are private) {
  env_folder f;
  auto parent = f.dir / "state" / "sessions";
  auto file = write_env_file(parent, {{"API_KEY", secret}});
  CAF_REQUIRE(file);
  CAF_CHECK_EQUAL(mode_of(f.dir / "state"), 0700u);
  CAF_CHECK_EQUAL(mode_of(parent), 0700u);
  remove_env_file(*file);
}

CAF_TEST(the environment file goes when the session does not start) {
  env_folder f;
  reply(1, "", "server exited unexpectedly\n");
  auto r = tmux().create("agent", "/w", agent_with_secret(f.dir), next_suffix(), 1);
  CAF_REQUIRE(!r);
  CAF_CHECK(std::filesystem::is_empty(f.dir));
}

CAF_TEST(the pane shell loads the file deletes it and runs the command with the values) {
  env_folder f;
  auto file = write_env_file(f.dir, {{"API_KEY", secret}, {"OTHER", "two words"}});
  CAF_REQUIRE(file);
  auto argv = with_env_file(*file, {"sh", "-c", "printf '%s|%s' \"$API_KEY\" \"$OTHER\""});
  auto r = run_process(argv);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->exit_code, 0);
  CAF_CHECK_EQUAL(r->out, secret + "|two words");
  CAF_CHECK(!std::filesystem::exists(*file));
  CAF_CHECK(!std::filesystem::exists(file->parent_path()));
  CAF_CHECK(!env_script({{"BAD NAME", "x"}}));
}

CAF_TEST(text with a line break or control character is refused before tmux runs) {
  for (std::string text : {"echo a\nrm -rf x", "\x1b[31m"}) {
    auto r = tmux().send("et-scribe-00ab", text);
    CAF_REQUIRE(!r);
    CAF_CHECK(r.error().code == errc::invalid_input);
  }
  CAF_CHECK(calls.empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
