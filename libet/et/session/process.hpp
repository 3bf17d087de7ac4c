#pragma once
/// Running other programs (tmux, byobu, agent CLIs) from an argv, never
/// through a shell, so no argument is ever interpreted: text sent to a pane
/// arrives exactly as written.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "et/util/result.hpp"

namespace et::session {

/// What a finished program left behind.
struct process_result {
  int exit_code = 0; ///< its exit status; 128 + N when killed by signal N
  std::string out;   ///< everything it wrote to stdout
  std::string err;   ///< everything it wrote to stderr
};

/// Extra environment variables for a child, on top of this process's own.
using env_vars = std::map<std::string, std::string>;

/// Runs argv[0] (looked up on PATH) with `input` as its stdin (then end of file),
/// waits for it and captures its output. Fails with errc::io_error when it
/// cannot be started (a missing program included).
result<process_result> run_process(const std::vector<std::string>& argv, const env_vars& env = {},
                                   const std::string& input = {});

/// How a component runs programs; tests substitute a fake.
using process_runner = std::function<result<process_result>(const std::vector<std::string>&)>;

/// The real runner: run_process without extra environment or input.
process_runner system_runner();

/// The full path of `program` when it is an executable on PATH.
std::optional<std::filesystem::path> find_on_path(const std::string& program);

/// The absolute path of the running executable (/proc/self/exe).
result<std::filesystem::path> self_executable();

/// Replaces this process with argv (execvp). Returns only on failure.
failure exec_replace(const std::vector<std::string>& argv);

} // namespace et::session
