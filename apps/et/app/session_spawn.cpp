// `et session spawn`: a detached tmux session running et chat for a role, or
// an `agents:` entry's command.
#include <chrono>
#include <ostream>
#include <random>
#include <thread>

#include "et/app/commands.hpp"
#include "et/app/runtime.hpp"
#include "et/app/session_command.hpp"
#include "et/config/paths.hpp"
#include "et/session/launch.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

constexpr auto ready_timeout = std::chrono::seconds{30};
constexpr auto ready_poll = std::chrono::milliseconds{100};

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint16_t random_suffix() {
  static std::random_device rd;
  return static_cast<uint16_t>(rd() & 0xffff);
}

// The agent named by --agent: null for et itself; nullopt (after printing
// why) for a name that is not configured.
std::optional<const config::agent*> find_agent(context& ctx,
                                               const std::map<std::string, config::agent>& agents,
                                               const std::string& name) {
  if (name.empty() || name == "et")
    return nullptr;
  if (auto i = agents.find(name); i != agents.end())
    return &i->second;
  std::vector<std::string> names{"et"};
  for (const auto& [n, a] : agents)
    names.push_back(n);
  ctx.err << "et session spawn: unknown agent \"" << name << "\"";
  if (auto guess = nearest(name, names))
    ctx.err << "; did you mean \"" << *guess << "\"?";
  ctx.err << " (agents: " << join(names, ", ") << ")\n";
  return std::nullopt;
}

std::optional<std::string> working_dir(context& ctx, const std::string& flag) {
  std::error_code ec;
  auto dir = std::filesystem::absolute(
      flag.empty() ? std::filesystem::current_path() : std::filesystem::path{flag}, ec);
  if (ec || !std::filesystem::is_directory(dir, ec)) {
    ctx.err << "et session spawn: --dir " << flag << ": not a directory\n";
    return std::nullopt;
  }
  return dir.lexically_normal().string();
}

// An agent that cannot take the prompt on its command line gets it typed in
// once its screen shows the `ready` pattern.
int send_when_ready(context& ctx, const session::client& tmux, const std::string& name,
                    const config::agent& agent, const std::string& prompt) {
  auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  for (;;) {
    auto screen = tmux.capture(name);
    if (!screen)
      return report(ctx, "et session spawn", screen.error());
    if (session::is_ready(agent, *screen))
      break;
    if (std::chrono::steady_clock::now() > deadline) {
      ctx.err << "et session spawn: " << name << " did not show \"" << agent.ready
              << "\" within 30s; the first prompt was not sent (the session keeps running)\n";
      return exit_failed;
    }
    std::this_thread::sleep_for(ready_poll);
  }
  if (auto sent = tmux.send(name, prompt); !sent)
    return report(ctx, "et session spawn", sent.error());
  return exit_ok;
}

} // namespace

int run_spawn(context& ctx, const spawn_flags& flags) {
  auto s = load_settings(ctx);
  if (!s)
    return exit_usage;
  auto agent = find_agent(ctx, s->agents, flags.agent);
  if (!agent)
    return exit_usage;
  auto role = !flags.role.empty() ? flags.role : *agent ? (*agent)->name : "polecat";
  if (!*agent && !check_role(ctx, "et session spawn", *s, role))
    return exit_usage;
  auto dir = working_dir(ctx, flags.dir);
  if (!dir)
    return exit_usage;
  if (*agent)
    if (auto why = session::option_like_fill(**agent, {role, *dir, flags.prompt, {}, {}, {}})) {
      ctx.err << "et session spawn: " << *why << "\n";
      return exit_usage;
    }
  // A first prompt that will be typed into the pane is checked before the session starts.
  if (*agent && !flags.prompt.empty() && !session::takes_prompt(**agent))
    if (auto why = session::unsendable(flags.prompt)) {
      ctx.err << "et session spawn: the first prompt is typed into the pane, and " << *why << "\n";
      return exit_usage;
    }
  auto exe = session::self_executable();
  if (!exe)
    return report(ctx, "et session spawn", exe.error());
  auto state = std::filesystem::absolute(config::state_dir(*s, config::process_env()));
  session::launch_request req{role, *dir, flags.prompt, *exe, std::filesystem::absolute(s->source),
                              state};
  auto make = [&](const std::string& name) {
    return *agent ? session::agent_launch(**agent, req, name) : session::et_chat_launch(req, name);
  };
  session::client tmux{session_server(flags.backend)};
  auto name = tmux.create(role, *dir, make, random_suffix, unix_now());
  if (!name)
    return report(ctx, "et session spawn", name.error());
  ctx.out << *name << "\n" << std::flush;
  ctx.err << "attach with: et session attach " << *name << "\n";
  if (*agent && !flags.prompt.empty() && !session::takes_prompt(**agent))
    return send_when_ready(ctx, tmux, *name, **agent, flags.prompt);
  return exit_ok;
}

} // namespace et::app
