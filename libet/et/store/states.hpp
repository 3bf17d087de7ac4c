#pragma once
/// The states of a run and of its subtasks. Inside et they are enums; they become
/// strings only where they leave it (the journal, `--json`, tables) and are read back
/// from strings only when a journal is read.

#include <optional>
#include <string>
#include <string_view>

namespace et::store {

/// Where one subtask stands.
enum class subtask_state {
  pending, ///< not started, or cancelled before it finished (a resume runs it again)
  running, ///< given to a pool member
  done,    ///< answered
  failed,  ///< every member tried failed
};

/// Where a whole run stands.
enum class run_status {
  running,     ///< in progress, or cut off by a crash
  done,        ///< every subtask done and the last verify passed
  failed,      ///< a subtask or verification failed, or the run timed out
  interrupted, ///< stopped by a signal
};

/// "pending", "running", "done", "failed".
std::string_view name_of(subtask_state s);
/// "running", "done", "failed", "interrupted".
std::string_view name_of(run_status s);

/// name_of() as a std::string (also found by CAF's and the tests' printers).
std::string to_string(subtask_state s);
/// name_of() as a std::string.
std::string to_string(run_status s);

/// The state named `name`, or nullopt for a name et does not write.
std::optional<subtask_state> subtask_state_from(std::string_view name);
/// The status named `name`, or nullopt for a name et does not write.
std::optional<run_status> run_status_from(std::string_view name);

} // namespace et::store
