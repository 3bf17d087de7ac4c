#pragma once
/// Internal to run_command: while commands run, this process is a child subreaper
/// (PR_SET_CHILD_SUBREAPER), so descendants that leave the command's process group (setsid,
/// double forks) become its children instead of init's and can still be killed at the end.

#include <sys/types.h>

namespace et::workspace::detail {

/// Held for as long as one command runs; the first makes this process a subreaper, the last
/// kills and reaps every orphan that was left, then stops being one.
class orphan_guard {
public:
  /// Counts one running command.
  orphan_guard();
  /// The last running command sweeps what was left.
  ~orphan_guard();
  orphan_guard(const orphan_guard&) = delete;
  orphan_guard& operator=(const orphan_guard&) = delete;

  /// Kills and reaps the orphans now, sparing `leader` (the command's own unreaped shell),
  /// when no other command runs; otherwise the last one to end does it.
  void sweep_if_alone(pid_t leader);
};

} // namespace et::workspace::detail
