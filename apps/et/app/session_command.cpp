// `et session`: agents in detached tmux (or byobu) sessions. spawn lives in
// session_spawn.cpp; list, attach, kill, send and logs here.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <unistd.h>

#include "et/app/session_command.hpp"
#include "et/session/launch.hpp"

namespace et::app {

namespace {

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

int run_list(context& ctx) {
  auto all = session::client{session_server("")}.list();
  if (!all)
    return report(ctx, "et session list", all.error());
  if (all->empty()) {
    ctx.out << "no sessions\n";
    return exit_ok;
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  ctx.out << session::format_table(*all, now);
  return exit_ok;
}

int run_attach(context& ctx, const std::string& name, const std::string& backend) {
  session::client tmux{session_server(backend)};
  if (auto s = tmux.find(name); !s)
    return report(ctx, "et session attach", s.error());
  if (::isatty(STDIN_FILENO) != 1 || ::isatty(STDOUT_FILENO) != 1) {
    ctx.err << "et session attach: needs a terminal; use et session logs " << name
            << " to read it from here\n";
    return exit_usage;
  }
  ctx.out.flush();
  // Only returns when tmux could not be started.
  auto f = session::exec_replace(session::attach(tmux.where(), name, env_set("TMUX")));
  return report(ctx, "et session attach", f);
}

int run_kill(context& ctx, const std::string& name) {
  if (auto r = session::client{session_server("")}.kill(name); !r)
    return report(ctx, "et session kill", r.error());
  ctx.out << "killed " << name << "\n";
  return exit_ok;
}

int run_send(context& ctx, const std::string& name, const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words)
    text += (text.empty() ? "" : " ") + w;
  if (auto r = session::client{session_server("")}.send(name, text); !r)
    return report(ctx, "et session send", r.error());
  return exit_ok;
}

// The agent's transcript when it keeps one, else what its pane shows.
int run_logs(context& ctx, const std::string& name) {
  session::client tmux{session_server("")};
  auto s = tmux.find(name);
  if (!s)
    return report(ctx, "et session logs", s.error());
  if (int fd = session::open_transcript(s->transcript, name); fd >= 0) {
    char buf[65536];
    ssize_t n = 0;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0)
        ctx.out.write(buf, n);
    ::close(fd);
    ctx.out << std::flush;
    return exit_ok;
  }
  auto screen = tmux.capture(name);
  if (!screen)
    return report(ctx, "et session logs", screen.error());
  // A pane is as tall as its window: drop the empty rows below the last output.
  auto end = screen->find_last_not_of(" \n");
  ctx.out << screen->substr(0, end == std::string::npos ? 0 : end + 1) << "\n" << std::flush;
  return exit_ok;
}

// One subcommand taking the session NAME.
CLI::App* with_name(CLI::App& parent, context& ctx, const char* verb, const char* summary,
                    std::string& name) {
  auto* cmd = parent.add_subcommand(verb, summary);
  add_config_flag(*cmd, ctx);
  cmd->add_option("name", name, "the session (et session list shows them)")->required();
  return cmd;
}

void add_spawn(CLI::App& parent, context& ctx) {
  auto* cmd = parent.add_subcommand(
      "spawn", "start an agent for a role in a detached session; prints the session name");
  add_config_flag(*cmd, ctx);
  auto f = std::make_shared<spawn_flags>();
  cmd->add_option("--role", f->role, "the role (default polecat, or the agent's name)");
  cmd->add_option("--dir", f->dir, "working directory (default: the current one)");
  cmd->add_option("--backend", f->backend, "tmux or byobu (default: byobu when installed)")
      ->check(CLI::IsMember({"tmux", "byobu"}));
  cmd->add_option("--agent", f->agent, "an agents: entry of the config (default et: et chat)");
  cmd->add_option("prompt", f->prompt, "a first prompt for the agent");
  cmd->callback([&ctx, f] { ctx.exit = run_spawn(ctx, *f); });
}

} // namespace

session::server session_server(const std::string& backend_flag) {
  auto byobu_path = session::find_on_path("byobu");
  auto kind = session::choose_backend(session::parse_backend(backend_flag), byobu_path.has_value(),
                                      env_set("BYOBU_BACKEND"));
  const char* socket = std::getenv(session::socket_env);
  return {kind, socket ? socket : ""};
}

int report(context& ctx, const std::string& what, const failure& f) {
  ctx.err << what << ": " << f.message << "\n";
  return f.code == errc::not_found || f.code == errc::invalid_input ? exit_usage : exit_failed;
}

void add_session_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand(
      "session", "agents in tmux/byobu sessions: spawn, list, attach, kill, send, logs");
  cmd->require_subcommand(1);
  add_config_flag(*cmd, ctx);
  add_spawn(*cmd, ctx);
  auto* list = cmd->add_subcommand("list", "et sessions: name, role, directory, age, busy/idle");
  add_config_flag(*list, ctx);
  list->callback([&ctx] { ctx.exit = run_list(ctx); });
  auto name = std::make_shared<std::string>();
  auto backend = std::make_shared<std::string>();
  auto* attach = with_name(*cmd, ctx, "attach", "attach this terminal to a session", *name);
  attach->add_option("--backend", *backend, "tmux or byobu")
      ->check(CLI::IsMember({"tmux", "byobu"}));
  attach->callback([&ctx, name, backend] { ctx.exit = run_attach(ctx, *name, *backend); });
  with_name(*cmd, ctx, "kill", "end a session and its agent", *name)->callback([&ctx, name] {
    ctx.exit = run_kill(ctx, *name);
  });
  auto words = std::make_shared<std::vector<std::string>>();
  auto* send = with_name(*cmd, ctx, "send", "type text into a session, then Enter", *name);
  send->add_option("text", *words, "the text, sent literally (words are joined by spaces)")
      ->required();
  send->callback([&ctx, name, words] { ctx.exit = run_send(ctx, *name, *words); });
  with_name(*cmd, ctx, "logs", "what the agent has said: its transcript, else its screen", *name)
      ->callback([&ctx, name] { ctx.exit = run_logs(ctx, *name); });
}

} // namespace et::app
