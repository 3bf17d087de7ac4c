#pragma once
/// Handing an agent its `env` (API keys, tokens) without putting a value on
/// any command line: every local user can read /proc/PID/cmdline, including
/// tmux's, so `tmux new-session -e KEY=VALUE` would publish the secret. The
/// values go into a file only the user can read, in a folder only the user
/// can enter; the pane starts a POSIX shell that sources the file, deletes
/// it and its folder, then execs the agent's command.

#include <filesystem>
#include <string>
#include <vector>

#include "et/session/process.hpp"
#include "et/util/result.hpp"

namespace et::session {

/// `export KEY='VALUE'` lines for `env`, values single-quoted so the shell
/// reads them literally. Fails on a name that is not [A-Za-z_][A-Za-z0-9_]*
/// or a NUL byte (neither can be passed through a shell).
result<std::string> env_script(const env_vars& env);

/// Writes env_script(env) to `parent`/env-XXXXXX/env: the folder made by
/// mkdtemp (0700), the file 0600. `parent` is created when missing.
result<std::filesystem::path> write_env_file(const std::filesystem::path& parent,
                                             const env_vars& env);

/// The argv that runs `command` with the environment of `file` added:
/// sh -c SCRIPT et-env FILE COMMAND...; the script deletes the file and its
/// folder before it execs the command. No value appears in it.
std::vector<std::string> with_env_file(const std::filesystem::path& file,
                                       const std::vector<std::string>& command);

/// Removes the file and its folder, for a session that did not start.
void remove_env_file(const std::filesystem::path& file);

} // namespace et::session
