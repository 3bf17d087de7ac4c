#pragma once
/// The sessions of one tmux server: list, create, kill, send, capture. Runs
/// the argv that tmux.hpp builds through a process runner (a fake in tests)
/// and turns tmux's complaints into typed failures.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "et/session/process.hpp"
#include "et/session/tmux.hpp"
#include "et/util/result.hpp"

namespace et::session {

/// What a new session runs and records.
struct launch {
  std::vector<std::string> command; ///< the pane's program and its arguments
  env_vars env;                     ///< added to the pane's environment (through a private file)
  std::string transcript;           ///< the agent's transcript file ("" = none)
  std::filesystem::path env_dir;    ///< where env's private file goes ("" = the temp dir)
};

/// Makes the launch of a session once its name is known.
using launch_maker = std::function<launch(const std::string& name)>;

/// Draws the 4-hex suffix of a new session name.
using suffix_source = std::function<uint16_t()>;

/// The et sessions of one tmux server.
class client {
public:
  /// Sessions on `where`, with programs run by `run`.
  explicit client(server where, process_runner run = system_runner());

  /// The et-* sessions; empty when no server runs.
  result<std::vector<session_info>> list() const;

  /// The session NAME, or errc::not_found naming it.
  result<session_info> find(const std::string& name) const;

  /// Starts a detached session for `role` in `dir` under a free name (a taken
  /// one is retried with a new suffix), runs `make(name)` there and records
  /// role, dir, `now` (Unix seconds) and the transcript. Returns the name.
  result<std::string> create(const std::string& role, const std::string& dir,
                             const launch_maker& make, const suffix_source& suffix,
                             int64_t now) const;

  /// Ends the session NAME.
  result<void> kill(const std::string& name) const;

  /// Types `text` literally into the session NAME, then Enter; refuses text
  /// with a line break or control character (unsendable()) with errc::invalid_input.
  result<void> send(const std::string& name, const std::string& text) const;

  /// The scrollback of the session's active pane: its last run_process bound of bytes, after
  /// a line that says how many came before when there were more.
  result<std::string> capture(const std::string& name) const;

  /// The server it talks to.
  const server& where() const { return server_; }

private:
  // Runs argv; a non-zero exit becomes errc::io_error with tmux's message.
  result<process_result> run_ok(const std::vector<std::string>& argv, std::string_view what) const;

  server server_;
  process_runner run_;
};

} // namespace et::session
