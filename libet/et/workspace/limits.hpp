#pragma once
/// Resource limits for a command and everything it starts. A verify command runs code a model
/// wrote: a fork bomb, a file that grows until the disk is full or a core dump the size of its
/// memory must stop at a bound, not at the timeout or the machine's end. The limits are
/// setrlimit's, set in the command's own process between fork and exec (command.cpp), so they
/// hold for the sandbox and everything in it and need no program of their own.

#include <cstdint>
#include <vector>

namespace et::workspace {

/// What a command may use; 0 = no bound of that kind.
struct command_limits {
  /// Processes and threads the command may add to those its user runs already (RLIMIT_NPROC
  /// counts every task of the user; the kernel does not hold root to it).
  uint64_t processes = 0;
  uint64_t file_bytes = 0;    ///< the largest file any of its processes may write
  uint64_t memory_bytes = 0;  ///< address space of each of its processes
  bool no_core_dumps = false; ///< no core files
  /// Whether the same bounds.
  bool operator==(const command_limits&) const = default;
};

/// One setrlimit: soft and hard alike, so the command cannot raise it again.
struct rlimit_setting {
  int resource = 0;   ///< RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_AS or RLIMIT_CORE
  uint64_t value = 0; ///< the bound
  /// Whether the same setting.
  bool operator==(const rlimit_setting&) const = default;
};

/// The setrlimit calls that bound a command by `limits`, given that its user runs `tasks_now`
/// tasks (0: unknown, and then no process bound, as one could be below what runs already). A
/// bound above this process's own hard limit is brought down to it: it could not be raised,
/// and what the user set for themselves holds anyway.
std::vector<rlimit_setting> rlimits_for(const command_limits& limits, uint64_t tasks_now);

/// How many tasks (processes and threads) the real user `uid` runs now, as /proc tells
/// (0 when it cannot be read). In a PID namespace it sees only the namespace's.
uint64_t tasks_of_user(unsigned uid);

} // namespace et::workspace
