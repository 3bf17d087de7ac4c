#pragma once
/// Helpers the apps suites share: running `et` in-process (run_cli) or as the
/// built binary in a child process, a scratch folder per fixture (temp_dir.hpp), polling
/// with a deadline, and small text checks. Header only: ET_BINARY_DIR and
/// ET_SOURCE_DIR come from et_add_test, the including target links et_apps.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "check_saying.hpp"
#include "temp_dir.hpp"

#include "et/app/cli.hpp"
#include "et/session/process.hpp"

namespace et::test {

/// The et binary this build made.
inline const std::string et_binary = std::string{ET_BINARY_DIR} + "/bin/et";

/// configs/demo.yaml of this checkout: the mock provider, a role for every use.
inline const std::string demo_config = std::string{ET_SOURCE_DIR} + "/configs/demo.yaml";

/// What one `et` command did: its exit code and everything it printed.
struct outcome {
  int code = -1;   ///< exit code; -1 when the process could not be started
  std::string out; ///< stdout
  std::string err; ///< stderr
};

/// Runs `et args...` in this process through run_cli, capturing both streams.
inline outcome run_in_process(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  int code = et::app::run_cli(args, out, err);
  return {code, out.str(), err.str()};
}

/// Runs the et binary with `args`, extra environment and `input` on stdin, to its end.
inline outcome run_et_binary(std::vector<std::string> args, const session::env_vars& env = {},
                             const std::string& input = {}) {
  args.insert(args.begin(), et_binary);
  auto r = session::run_process(args, env, input);
  if (!r)
    return {-1, "", r.error().message};
  return {r->exit_code, r->out, r->err};
}

/// True when `part` occurs in `text`.
inline bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

/// How often `part` occurs in `text`, overlapping occurrences included.
inline size_t count(std::string_view text, std::string_view part) {
  size_t n = 0;
  for (auto pos = text.find(part); pos != std::string_view::npos; pos = text.find(part, pos + 1))
    ++n;
  return n;
}

/// A file's bytes ("" when it does not exist). Not `read`: that is POSIX's.
inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Calls `done` every `every` until it returns true or `limit` passes; then its last answer.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds limit = std::chrono::seconds{15},
                std::chrono::milliseconds every = std::chrono::milliseconds{20}) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done())
      return true;
    std::this_thread::sleep_for(every);
  }
  return done();
}

} // namespace et::test
