#pragma once
/// Running other programs (tmux, byobu, agent CLIs) from an argv, never
/// through a shell, so no argument is ever interpreted: text sent to a pane
/// arrives exactly as written.

#include <chrono>
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
  int exit_code = 0;      ///< its exit status; 128 + N when killed by signal N
  std::string out;        ///< what it wrote to stdout: the last max_output bytes of it
  std::string err;        ///< what it wrote to stderr: the last max_output bytes of it
  size_t out_dropped = 0; ///< bytes of stdout written before `out`, read and let go
  size_t err_dropped = 0; ///< bytes of stderr written before `err`, read and let go
};

/// How much of each of a program's outputs run_process keeps by default (64 MiB): a pane's
/// history or a listing is read to its end, but never held whole. While it runs, up to twice
/// this may be held per output (the front is cut in large steps); what it returns is this.
inline constexpr size_t default_max_output = size_t{64} << 20;

/// Extra environment variables for a child, on top of this process's own.
using env_vars = std::map<std::string, std::string>;

/// Runs argv[0] (looked up on PATH) with `input` as its stdin (then end of file),
/// waits for it and captures the last `max_output` bytes of each output. Fails with
/// errc::io_error when it cannot be started (a missing program included), and with
/// errc::timeout when it has not ended after `limit` (zero: no limit): it is killed then.
result<process_result> run_process(const std::vector<std::string>& argv, const env_vars& env = {},
                                   const std::string& input = {},
                                   size_t max_output = default_max_output,
                                   std::chrono::milliseconds limit = {});

/// How long system_runner() lets a program run (tmux answers in milliseconds; a stopped or
/// wedged server must not hang every `et session` command).
inline constexpr std::chrono::seconds runner_limit{30};

/// How a component runs programs; tests substitute a fake.
using process_runner = std::function<result<process_result>(const std::vector<std::string>&)>;

/// The real runner: run_process without extra environment or input, within runner_limit.
process_runner system_runner();

/// The full path of `program` when it is an executable on PATH.
std::optional<std::filesystem::path> find_on_path(const std::string& program);

/// The absolute path of the running executable (/proc/self/exe).
result<std::filesystem::path> self_executable();

/// Replaces this process with argv (execvp). Returns only on failure.
failure exec_replace(const std::vector<std::string>& argv);

} // namespace et::session
