#define CAF_SUITE libet.session.tmux
#include "caf/test/unit_test.hpp"

#include "et/session/tmux.hpp"

using namespace et::session;
using strings = std::vector<std::string>;

namespace {

const server plain{backend::tmux, ""};
const server private_socket{backend::tmux, "et-test"};
const server byobu{backend::byobu, ""};

// One list-sessions line as tmux prints it with our format.
std::string line(const strings& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i)
    out += (i ? "\x1f" : "") + fields[i];
  return out + "\n";
}

} // namespace

CAF_TEST(a session name is et then the role then four hex digits) {
  CAF_CHECK_EQUAL(session_name("polecat", 0x3f2a), "et-polecat-3f2a");
  CAF_CHECK_EQUAL(session_name("scribe", 7), "et-scribe-0007");
}

CAF_TEST(characters tmux refuses in a session name become underscores) {
  CAF_CHECK_EQUAL(session_name("a.b:c d", 0xffff), "et-a_b_c_d-ffff");
  CAF_CHECK_EQUAL(session_name("", 1), "et-agent-0001");
}

CAF_TEST(the backend flag wins over byobu when present over tmux) {
  CAF_CHECK(choose_backend(backend::tmux, true, true) == backend::tmux);
  CAF_CHECK(choose_backend(backend::byobu, false, false) == backend::byobu);
  CAF_CHECK(choose_backend(std::nullopt, true, false) == backend::byobu);
  CAF_CHECK(choose_backend(std::nullopt, false, true) == backend::byobu);
  CAF_CHECK(choose_backend(std::nullopt, false, false) == backend::tmux);
  CAF_CHECK(parse_backend("byobu") == backend::byobu);
  CAF_CHECK(!parse_backend("screen"));
}

CAF_TEST(new session runs the command directly) {
  auto argv = new_session(plain, "et-x-0001", "/work", {"/bin/et", "chat", "a b"});
  CAF_CHECK_EQUAL(argv, (strings{"tmux", "new-session", "-d", "-s", "et-x-0001", "-c", "/work",
                                 "-x", "160", "-y", "48", "--", "/bin/et", "chat", "a b"}));
  // One word would go to $SHELL -c: a prompt like this would run.
  auto one = new_session(plain, "n", "/", {"x; touch pwned"});
  CAF_CHECK_EQUAL((strings{one.end() - 4, one.end()}),
                  (strings{"--", "env", "--", "x; touch pwned"}));
}

CAF_TEST(text with a line break or a control character cannot be sent) {
  CAF_CHECK(!unsendable("echo a; b | c $HOME 'q' \\ \tok é"));
  CAF_CHECK(!unsendable("tab\there"));
  for (const auto& bad : strings{"echo a\nrm -rf x", "a\rb", "\x1b[2J", "a\x03", "del\x7f",
                                 "c1 \xc2\x9b"
                                 "2J",
                                 std::string{"nul\0x", 5}}) {
    auto why = unsendable(bad);
    CAF_CHECK(why.has_value());
  }
  CAF_CHECK(unsendable("echo a\nrm -rf x").value_or("").find("line break") != std::string::npos);
  CAF_CHECK(unsendable("\x1b[2J").value_or("").find("control character 0x1b") != std::string::npos);
}

CAF_TEST(a private socket goes before the command) {
  auto argv = list_sessions(private_socket);
  CAF_REQUIRE_GREATER_OR_EQUAL(argv.size(), 4u);
  CAF_CHECK_EQUAL((strings{argv[0], argv[1], argv[2], argv[3]}),
                  (strings{"tmux", "-L", "et-test", "list-sessions"}));
}

CAF_TEST(byobu starts and attaches sessions and tmux does the rest) {
  // The checks keep references: each program name is copied out first.
  auto start = new_session(byobu, "n", "/", {"x"});
  auto join = attach(byobu, "n", false);
  auto end = kill_session(byobu, "n").front();
  auto type = send_text(byobu, "n", "hi").front();
  CAF_CHECK_EQUAL((strings{start.begin(), start.begin() + 4}),
                  (strings{"env", "BYOBU_BACKEND=tmux", "byobu", "new-session"}));
  CAF_CHECK_EQUAL((strings{join.begin(), join.begin() + 4}),
                  (strings{"env", "BYOBU_BACKEND=tmux", "byobu", "attach-session"}));
  CAF_CHECK_EQUAL(end, "tmux");
  CAF_CHECK_EQUAL(type, "tmux");
}

CAF_TEST(targets name the session exactly) {
  CAF_CHECK_EQUAL(kill_session(plain, "et-a-0001"),
                  (strings{"tmux", "kill-session", "-t", "=et-a-0001"}));
  CAF_CHECK_EQUAL(capture_pane(plain, "et-a-0001"),
                  (strings{"tmux", "capture-pane", "-p", "-J", "-S", "-", "-t", "=et-a-0001:"}));
  CAF_CHECK_EQUAL(set_option(plain, "et-a-0001", "@et-role", "scribe"),
                  (strings{"tmux", "set-option", "-t", "=et-a-0001:", "@et-role", "scribe"}));
}

CAF_TEST(text is sent literally after the end of options) {
  auto text = "-x $(rm -rf x); echo \"hi\"";
  CAF_CHECK_EQUAL(send_text(plain, "n", text),
                  (strings{"tmux", "send-keys", "-t", "=n:", "-l", "--", text}));
  CAF_CHECK_EQUAL(send_enter(plain, "n"), (strings{"tmux", "send-keys", "-t", "=n:", "Enter"}));
}

CAF_TEST(an argument ending in a semicolon is escaped so tmux keeps it) {
  auto last = [](const strings& argv) { return argv.back(); };
  CAF_CHECK_EQUAL(last(send_text(plain, "n", "fix it;")), "fix it\\;");
  CAF_CHECK_EQUAL(last(send_text(plain, "n", ";")), "\\;");
  CAF_CHECK_EQUAL(last(send_text(plain, "n", "a;b")), "a;b");
  CAF_CHECK_EQUAL(last(new_session(plain, "n", "/", {"sh", "-c", "x;"})), "x\\;");
}

CAF_TEST(attaching from inside tmux switches the client instead) {
  CAF_CHECK_EQUAL(attach(plain, "n", false), (strings{"tmux", "attach-session", "-t", "=n"}));
  CAF_CHECK_EQUAL(attach(plain, "n", true), (strings{"tmux", "switch-client", "-t", "=n"}));
}

CAF_TEST(option values lose newlines and the field separator) {
  std::string value = set_option(plain, "n", "@et-dir", std::string{"/a\nb\x1f"} + "c").back();
  CAF_CHECK_EQUAL(value, "/a_b_c");
}

CAF_TEST(list output keeps et sessions with their metadata and state) {
  auto text =
      line({"et-scribe-00ab", "scribe", "/w", "1000", "999", "/s/et-scribe-00ab.md", "et:busy"})
      + line({"work", "", "", "", "5", "", "vm"})
      + line({"et-crew-0001", "", "", "", "900", "", "vm"});
  auto sessions = parse_sessions(text);
  CAF_REQUIRE_EQUAL(sessions.size(), 2u);
  CAF_CHECK_EQUAL(sessions[0], (session_info{"et-scribe-00ab", "scribe", "/w",
                                             "/s/et-scribe-00ab.md", 1000, "busy"}));
  CAF_CHECK_EQUAL(sessions[1].created, 900); // tmux's own creation time when ours is unset
  CAF_CHECK_EQUAL(sessions[1].state, "-");
}

CAF_TEST(a pane title containing the separator stays whole) {
  auto sessions = parse_sessions(line({"et-a-0001", "a", "/", "1", "1", "", "et:idle\x1fx"}));
  CAF_REQUIRE_EQUAL(sessions.size(), 1u);
  CAF_CHECK_EQUAL(sessions[0].state, "-");
}

CAF_TEST(empty output and short lines are no sessions) {
  CAF_CHECK(parse_sessions("").empty());
  CAF_CHECK(parse_sessions("et-a-0001\n").empty());
}

CAF_TEST(the messages of tmux are recognized) {
  CAF_CHECK(is_no_server("no server running on /tmp/tmux-0/default\n"));
  CAF_CHECK(is_no_server("error connecting to /tmp/x (No such file or directory)\n"));
  CAF_CHECK(!is_no_server("can't find session: x\n"));
  CAF_CHECK(is_duplicate_session("duplicate session: et-a-0001\n"));
  CAF_CHECK(!is_duplicate_session("no server running\n"));
}

CAF_TEST(ages are rounded down to the largest unit) {
  CAF_CHECK_EQUAL(format_age(42), "42s");
  CAF_CHECK_EQUAL(format_age(300), "5m");
  CAF_CHECK_EQUAL(format_age(3 * 3600 + 5), "3h");
  CAF_CHECK_EQUAL(format_age(2 * 86400), "2d");
  CAF_CHECK_EQUAL(format_age(-5), "0s");
}

CAF_TEST(the table aligns columns under a header) {
  std::vector<session_info> s{{"et-scribe-00ab", "scribe", "/w", "", 1000, "idle"},
                              {"et-x-0001", "", "/longer/dir", "", 0, "-"}};
  CAF_CHECK_EQUAL(format_table(s, 1060), "NAME            ROLE    DIR          AGE  STATE\n"
                                         "et-scribe-00ab  scribe  /w           1m   idle\n"
                                         "et-x-0001       -       /longer/dir  -    -\n");
}

CAF_TEST(the title escape is OSC 2 ended by ST) {
  CAF_CHECK_EQUAL(title_escape("et:busy"), "\033]2;et:busy\033\\");
}

CAF_TEST(a folder is a literal to tmux where it expands formats) {
  CAF_CHECK_EQUAL(literal_format("/p/a#(touch x)b#{session_name}"),
                  "/p/a##(touch x)b##{session_name}");
  auto argv = new_session(plain, "n", "/p/x#(id)", {"a", "b"});
  auto c = std::find(argv.begin(), argv.end(), "-c");
  CAF_REQUIRE(c != argv.end());
  CAF_CHECK_EQUAL(c[1], "/p/x##(id)");
}
