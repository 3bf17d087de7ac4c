#pragma once
/// What a session's pane runs: `et chat` for a role (the built-in agent) or
/// an `agents:` entry's command with its placeholders filled in. Either way an
/// argv, run without a shell, so a prompt is one argument and never code.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "et/config/settings.hpp"
#include "et/session/client.hpp"

namespace et::session {

/// Where and for what a session's agent starts.
struct launch_request {
  std::string role;                ///< the role (et chat) or a name for the agent
  std::string dir;                 ///< absolute working directory
  std::string prompt;              ///< the first prompt ("" = none)
  std::filesystem::path et_binary; ///< the running et (/proc/self/exe)
  std::filesystem::path config;    ///< absolute path of the configuration
  std::filesystem::path state_dir; ///< where transcripts go (state_dir/sessions)
};

/// The transcript of session NAME: state_dir/sessions/NAME.md.
std::filesystem::path transcript_file(const std::filesystem::path& state_dir,
                                      std::string_view name);

/// Opens `file`, named by the session's @et-transcript option, for reading when it is where
/// transcript_file() puts `name`'s ("<dir>/sessions/NAME.md") and a regular file (not a
/// symlink, FIFO or device: any process in the pane can set the option); -1 otherwise.
int open_transcript(const std::filesystem::path& file, std::string_view name);

/// `et chat --role R --config C --transcript T [-- PROMPT]`, T being the
/// session's transcript file, computed here so that `et session logs` finds it
/// whatever environment the tmux server gives the pane. The first prompt, when
/// given, is an argument, so it cannot race the REPL's start.
launch et_chat_launch(const launch_request& r, const std::string& name);

/// An `agents:` entry's words with {dir}, {prompt}, {role} and {session}
/// replaced, and its environment.
launch agent_launch(const config::agent& a, const launch_request& r, const std::string& name);

/// Why `r` must not fill `a`'s command, or nullopt: a {prompt} or {role} value starting with
/// "-" would begin a word before any "--", where the agent would take it as an option
/// (`--dangerously-skip-permissions` as a "prompt").
std::optional<std::string> option_like_fill(const config::agent& a, const launch_request& r);

/// True when the agent's command takes the first prompt itself ({prompt}).
bool takes_prompt(const config::agent& a);

/// True when `screen` shows the agent is ready: `ready` matches somewhere in its last 4 KiB
/// (always true when it is empty).
bool is_ready(const config::agent& a, std::string_view screen);

} // namespace et::session
