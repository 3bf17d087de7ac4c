// `et chat`: an interactive multi-turn conversation with one role, streamed
// through the router. It is what `et session spawn` runs in a tmux pane.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/app/chat_context.hpp"
#include "et/app/chat_terminal.hpp"
#include "et/app/commands.hpp"
#include "et/app/runtime.hpp"
#include "et/chat/chat.hpp"
#include "et/cost/summary.hpp"
#include "et/session/tmux.hpp"
#include "et/util/private_files.hpp"
#include "et/util/terminal.hpp"
#include "et/util/text.hpp"
#include "et/util/unique_fd.hpp"

namespace et::app {

namespace {

struct chat_flags {
  std::string role = "polecat";
  std::string dir;
  std::string transcript; // set by `et session spawn`: state_dir/sessions/NAME.md
  std::string prompt;     // the first question, asked before reading input
  std::string context;    // --context PATH|off ("" = the current project's index, if any)
};

// Everything one chat keeps between lines.
struct chat_state {
  context& ctx;
  role_runtime& rt;
  caf::scoped_actor& self;
  std::string role;
  chat::chat_history history;
  unique_fd transcript;     // none: no transcript; the answer streams into it
  bool pane_titles = false; // stdout is a tmux pane: keep its title busy/idle
  uint64_t next_id = 1;
  size_t failed_turns = 0; // questions left without an answer (not cancelled ones)
  std::shared_ptr<chat_context> retrieval = nullptr; // null: no project context
};

// Outside tmux the title escape would rename the user's terminal window.
bool in_tmux_pane(const context& ctx) {
  const char* tmux = std::getenv("TMUX");
  return &ctx.out == &std::cout && ::isatty(STDOUT_FILENO) == 1 && tmux && *tmux;
}

// tmux shows the pane title in `et session list` as busy or idle.
void set_title(chat_state& st, const char* title) {
  if (st.pane_titles)
    unsanitized(st.ctx.out) << session::title_escape(title) << std::flush;
}

// Flushed at once: `et session logs` reads the file while the answer streams.
void append_transcript(chat_state& st, const std::string& text) {
  if (st.transcript && !write_all(st.transcript.get(), text)) {
    st.ctx.err << "et chat: warning: the transcript stops here: " << std::strerror(errno) << "\n";
    st.transcript = unique_fd{};
  }
}

// One question: streams the answer and keeps the turn when it succeeds; a
// failed or cancelled turn leaves the history as it was.
void ask(chat_state& st, const std::string& question) {
  role_request req;
  req.id = st.next_id++;
  req.role = st.role;
  req.request.messages = st.history.ask(question);
  // Only this request sees the excerpts; the history keeps the question as typed.
  if (st.retrieval && !req.request.messages.empty())
    req.request.messages.back().content = st.retrieval->prompt_for(st.ctx, question);
  std::string answer;
  set_title(st, session::title::busy);
  append_transcript(st, chat::markdown_turn_start(st.role, question));
  auto on_text = [&](const std::string& text) {
    st.ctx.out << text << std::flush;
    append_transcript(st, text);
    answer += text;
  };
  auto r =
      stream_role(st.self, st.rt.router(), req, on_text, [] { return interrupt_guard::raised(); });
  if (!answer.empty() && answer.back() != '\n')
    st.ctx.out << "\n" << std::flush;
  set_title(st, session::title::idle);
  interrupt_guard::clear();
  if (!r) {
    auto cancelled = r.error().code == errc::cancelled;
    st.failed_turns += cancelled ? 0 : 1;
    st.ctx.err << "et chat: " << (cancelled ? "answer cancelled" : to_string(r.error())) << "\n";
    auto note = "*(" + to_string(r.error()) + ")*";
    append_transcript(st, chat::markdown_turn_end(answer) + note + "\n\n");
    return;
  }
  print_fallbacks(st.ctx.err, *r);
  append_transcript(st, chat::markdown_turn_end(answer));
  if (auto forgot = st.history.add_turn(question, std::move(answer)); forgot > 0)
    st.ctx.err << "et chat: forgot the oldest " << forgot << (forgot == 1 ? " turn" : " turns")
               << ": the conversation passed " << (chat::chat_history::max_bytes >> 20)
               << " MiB (/reset starts over)\n";
}

void show_cost(chat_state& st) {
  st.self->request(st.rt.ledger(), std::chrono::seconds{5}, actors::summary_atom::value)
      .receive(
          [&](cost::cost_report& r) {
            st.ctx.out << "spend of this chat: " << r.requests
                       << (r.requests == 1 ? " call, " : " calls, ") << r.prompt_tokens
                       << " prompt + " << r.completion_tokens << " completion tokens, "
                       << (r.unpriced_requests > 0 && r.usd == 0 ? "unpriced"
                                                                 : cost::format_usd(r.usd))
                       << "\n"
                       << r.table << std::flush;
          },
          [&](caf::error& e) {
            st.ctx.err << "et chat: /cost: " << to_string(actors::from_caf(e)) << "\n";
          });
}

std::string default_save_file(const std::string& role) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return "et-chat-" + role + "-" + buf + ".md";
}

// Writes `text` to `file` (0600, like every transcript), only a file of the user's own: never
// through a symlink (made by whoever could write in the folder, it would send the conversation
// elsewhere), never into someone else's file left writable (they would read it).
std::string write_transcript(const std::string& file, const std::string& text) {
  std::error_code ec;
  if (std::filesystem::is_symlink(file, ec))
    return file + " is a symlink; /save writes only a file of its own";
  auto fd = open_private_file(file, O_WRONLY | O_CREAT | O_NOFOLLOW);
  if (!fd)
    return fd.error().message;
  struct stat st {};
  std::string problem;
  if (::fstat(*fd, &st) != 0 || st.st_uid != ::geteuid())
    problem = file + " belongs to another user; /save writes only a file of its own";
  else if (::ftruncate(*fd, 0) != 0)
    problem = "cannot write " + file + ": " + std::strerror(errno);
  if (problem.empty() && !write_all(*fd, text))
    problem = "cannot write " + file + ": " + std::strerror(errno);
  if (::close(*fd) != 0 && problem.empty())
    problem = "cannot write " + file + ": " + std::strerror(errno);
  return problem;
}

void save(chat_state& st, const std::string& file_arg) {
  if (st.history.turns() == 0) { // nothing to keep: no file named after a chat that never was
    st.ctx.err << "et chat: /save: nothing to save yet (no question was answered)\n";
    return;
  }
  auto file = file_arg.empty() ? default_save_file(st.role) : file_arg;
  auto problem =
      write_transcript(file, "# et chat: " + st.role + "\n\n" + st.history.markdown(st.role));
  if (!problem.empty()) {
    st.ctx.err << "et chat: /save: " << problem << "\n";
    return;
  }
  st.ctx.out << "saved " << st.history.turns() << (st.history.turns() == 1 ? " turn" : " turns")
             << " to " << file << "\n";
}

void help(chat_state& st) {
  st.ctx.out << "type a question, or: /cost (spend so far), /reset (forget the conversation), "
                "/save [FILE] (write it as markdown), /quit; //text asks \"/text\"\n"
                "at a terminal: Alt-Enter or \\ then Enter starts a new line, a paste stays one "
                "question, Up and Down recall earlier ones, Ctrl-C drops the line\n";
}

// Acts on one line; false when the chat should end.
bool handle(chat_state& st, const chat::chat_input& in) {
  using chat::chat_command;
  switch (in.what) {
    case chat_command::ask:
      ask(st, in.text);
      return true;
    case chat_command::cost:
      show_cost(st);
      return true;
    case chat_command::reset:
      st.history.reset();
      append_transcript(st, "---\n\n*(conversation reset)*\n\n");
      st.ctx.out << "conversation reset\n";
      return true;
    case chat_command::save:
      save(st, in.text);
      return true;
    case chat_command::quit:
      return false;
    case chat_command::help:
      help(st);
      return true;
    case chat_command::nothing:
      return true;
    case chat_command::unknown:
      st.ctx.err << "et chat: unknown command " << in.text;
      if (auto guess = nearest(in.text, chat::chat_command_names()))
        st.ctx.err << "; did you mean " << *guess << "?";
      st.ctx.err << " (/help lists them)\n";
      return true;
  }
  return true;
}

// The longest line taken as one question: as much as the gateway takes in one text
// (gateway::limits::max_string_bytes). Input is read a line at a time, never held past this.
constexpr std::size_t max_line_bytes = std::size_t{4} << 20;

enum class line_read { line, too_long, end };

// The next line of `in` (without its newline) into `line`, or why there is none. A line past
// max_line_bytes is not read further (`et chat < /dev/zero` has no end of line).
line_read read_line(std::istream& in, std::string& line) {
  line.clear();
  if (auto* tied = in.tie()) // what a formatted read does first: a driving program sees it
    tied->flush();
  auto* buf = in.rdbuf();
  int c = buf->sbumpc();
  if (c == std::char_traits<char>::eof())
    return line_read::end;
  for (; c != std::char_traits<char>::eof() && c != '\n'; c = buf->sbumpc()) {
    if (line.size() == max_line_bytes)
      return line_read::too_long;
    line.push_back(static_cast<char>(c));
  }
  return line_read::line;
}

// At a terminal: one question at a time, edited in place (a paste stays one question).
int terminal_repl(chat_state& st, terminal_prompt& prompt) {
  for (;;) {
    std::cout.flush();
    std::cerr.flush();
    std::string question;
    auto got = prompt.read(question);
    if (got == prompt_read::end)
      return interrupt_guard::raised() ? exit_interrupted : exit_ok;
    if (got == prompt_read::interrupted)
      return exit_interrupted;
    if (!handle(st, chat::parse_chat_input(question)))
      return exit_ok;
  }
}

// Reads questions until /quit, end of input or Ctrl-C at the prompt.
int repl(chat_state& st, const std::string& first) {
  bool terminal_in = ::isatty(STDIN_FILENO) == 1;
  set_title(st, session::title::idle);
  if (!first.empty()) {
    if (terminal_in)
      st.ctx.out << "> " << first << "\n";
    ask(st, first);
  }
  if (&st.ctx.out == &std::cout)
    if (auto prompt = terminal_prompt::open(STDIN_FILENO, STDOUT_FILENO))
      return terminal_repl(st, *prompt);
  for (;;) {
    if (terminal_in)
      st.ctx.out << "> " << std::flush;
    std::string line;
    auto got = read_line(std::cin, line);
    if (got == line_read::too_long) {
      st.ctx.err << "et chat: a line of input is longer than " << (max_line_bytes >> 20)
                 << " MiB; it was not sent and nothing after it is read\n";
      return exit_usage;
    }
    if (got == line_read::end) {
      if (terminal_in)
        st.ctx.out << "\n";
      return interrupt_guard::raised() ? exit_interrupted : exit_ok;
    }
    if (!handle(st, chat::parse_chat_input(line)))
      return exit_ok;
  }
}

// The folder is made here: the pane's chat may be the first to write there. A folder made
// is private (0700), one that exists is left as it is (it may be the user's home); the file
// is 0600 and written through the descriptor that checked it: never through a symlink, never
// into a FIFO.
unique_fd open_transcript(context& ctx, const std::string& file) {
  if (file.empty())
    return unique_fd{};
  auto parent = std::filesystem::path{file}.parent_path();
  if (!parent.empty())
    (void)make_dirs(parent, 0700);
  auto fd = open_private_file(file, O_WRONLY | O_APPEND | O_CREAT);
  if (!fd) {
    ctx.err << "et chat: warning: no transcript: " << fd.error().message << "\n";
    return unique_fd{};
  }
  return unique_fd{*fd};
}

int run_chat(context& ctx, const chat_flags& flags) {
  auto s = load_settings(ctx);
  if (!s)
    return exit_usage;
  if (!check_role(ctx, "et chat", *s, flags.role))
    return exit_usage;
  std::error_code ec;
  if (!flags.dir.empty())
    std::filesystem::current_path(flags.dir, ec); // after loading: --config may be relative
  if (ec) {
    ctx.err << "et chat: --dir " << flags.dir << ": " << ec.message() << "\n";
    return exit_usage;
  }
  auto retrieval = chat_context::open(ctx, *s, flags.context);
  if (!retrieval)
    return ctx.exit;
  auto settings = std::make_shared<const config::settings>(std::move(*s));
  auto rt = role_runtime::start(ctx, "et chat", settings);
  if (!rt)
    return exit_usage;
  interrupt_guard sigint;
  int code = exit_ok;
  {
    caf::scoped_actor self{rt->system()};
    auto r = settings->role_or_default(flags.role);
    chat_state st{ctx,
                  *rt,
                  self,
                  flags.role,
                  chat::chat_history{r.system_prompt},
                  open_transcript(ctx, flags.transcript),
                  in_tmux_pane(ctx)};
    st.retrieval = std::move(*retrieval);
    code = repl(st, flags.prompt);
    set_title(st, "");
    // A script piping questions in learns that one went unanswered.
    if (code == exit_ok && st.failed_turns > 0)
      code = exit_failed;
  }
  return code;
}

} // namespace

void add_chat_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand(
      "chat", "talk with a role: multi-turn, streamed; /cost, /reset, /save [FILE], /quit");
  add_config_flag(*cmd, ctx);
  auto flags = std::make_shared<chat_flags>();
  cmd->add_option("--role", flags->role, "the role to talk to (default polecat)");
  cmd->add_option("--dir", flags->dir, "work in this directory");
  cmd->add_option("--transcript", flags->transcript,
                  "append each turn to this markdown file (et session spawn sets it to "
                  "state_dir/sessions/NAME.md)");
  cmd->add_option("prompt", flags->prompt, "a first question, asked before reading input");
  cmd->add_option("--context", flags->context,
                  "project context for each question: the index of this folder (`et index`), "
                  "or off (default: the current project's index, when it has one)");
  cmd->callback([&ctx, flags] { ctx.exit = run_chat(ctx, *flags); });
}

} // namespace et::app
