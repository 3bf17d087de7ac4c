#pragma once
/// The `et` command line: parses argv, dispatches to a command, returns the
/// process exit code.

#include <iosfwd>
#include <string>
#include <vector>

namespace et::app {

/// Documented exit codes of every command.
enum exit_code : int {
  exit_ok = 0,            ///< success
  exit_failed = 1,        ///< the run failed (a subtask, verification, a provider)
  exit_usage = 2,         ///< bad command line or configuration (an untrusted one included)
  exit_interrupted = 130, ///< Ctrl-C
  /// stdout was closed early (`et run ... | head`): the command ran to its end and recorded
  /// its spend, but some of its output could not be written (128 + SIGPIPE, as shells report
  /// a process killed by it).
  exit_output_closed = 141,
};

/// Runs `et` with the given arguments (argv without the program name).
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace et::app
