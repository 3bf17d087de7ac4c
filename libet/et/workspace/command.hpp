#pragma once
/// Running a verify command (`make test`, `pytest`, ...) in a directory with a
/// timeout, capturing what it prints.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "et/util/result.hpp"
#include "et/workspace/limits.hpp"

namespace et::workspace {

/// How a command ended.
struct command_outcome {
  int exit_code = -1;     ///< the exit status; -1 when killed or not started
  int signal = 0;         ///< the signal that ended it (0 = none)
  bool timed_out = false; ///< killed after the timeout
  bool cancelled = false; ///< killed because `cancel` was set
  std::string output;     ///< stdout and stderr interleaved, at most `max_output` bytes
  bool truncated = false; ///< output was longer than `max_output` (the tail is kept)
  std::chrono::milliseconds elapsed{0}; ///< wall time
  /// True when it exited with status 0.
  bool passed() const { return exit_code == 0 && !timed_out && !cancelled && signal == 0; }
};

/// What to run and how.
struct command_spec {
  std::string command;                  ///< run by `/bin/sh -c` (a shell line, as typed)
  std::filesystem::path dir;            ///< working directory
  std::chrono::milliseconds timeout{0}; ///< 0 = none
  size_t max_output = 64 * 1024;        ///< bytes of output kept (the last ones)
  /// The command's whole environment ("NAME=value" each); nullopt = this process's.
  std::optional<std::vector<std::string>> env{};
  /// Runs `wrapper... /bin/sh -c command` instead (a sandbox such as bwrap); wrapper[0] is an
  /// absolute path. Empty = none.
  std::vector<std::string> wrapper{};
  /// Bounds for it and everything it starts, the wrapper too (limits.hpp).
  command_limits limits{};
};

/// Runs `spec` in its own process group with stdin from /dev/null; on timeout or when
/// `*cancel` becomes true (checked at least every 100 ms) the whole group gets SIGTERM, then
/// SIGKILL after 2 s. Whatever it leaves behind is killed when it ends: its group, and (as
/// this process is a child subreaper while commands run) every descendant that left the group
/// with setsid or double forks, once no other command of this process is running. So do not
/// start other children meant to outlive a command while one runs. Blocks the calling thread:
/// call it from the app's thread or a detached actor, never a scheduler thread. A command that
/// cannot be started (missing dir, fork failure, limits that cannot be set) is a failure naming
/// the reason.
result<command_outcome> run_command(const command_spec& spec,
                                    const std::atomic<bool>* cancel = nullptr);

} // namespace et::workspace
