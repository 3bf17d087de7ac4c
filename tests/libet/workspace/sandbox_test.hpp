#pragma once
/// What the sandbox suites (verify, sandbox_guard) share: running a command that must start,
/// and skipping where bwrap cannot run. Include after caf/test/unit_test.hpp.

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "caf/test/unit_test.hpp"
#include "et/workspace/command.hpp"
#include "et/workspace/verify.hpp"

namespace et::test {

/// The outcome of `spec`, which must start (the test fails when it cannot).
inline workspace::command_outcome ran(const workspace::command_spec& spec) {
  auto r = workspace::run_command(spec);
  if (!r)
    CAF_FAIL("run_command failed: " << r.error().message);
  return std::move(r).value();
}

/// A folder for files the sandbox must not replace by its tmpfs /tmp: the build dir, unless it
/// lies under the temp folder (a CI clone in /tmp), then /var/tmp.
inline std::filesystem::path outside_tmp() {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto build = fs::weakly_canonical(ET_BINARY_DIR, ec);
  auto tmp = fs::weakly_canonical(fs::temp_directory_path(ec), ec);
  auto rel = build.lexically_relative(tmp);
  bool under_tmp = !rel.empty() && *rel.begin() != "..";
  if (under_tmp && fs::is_directory("/var/tmp", ec) && ::access("/var/tmp", W_OK) == 0)
    return "/var/tmp";
  return ET_BINARY_DIR;
}

/// Writes `text` to `file`, making its folders first.
inline void write(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream{file, std::ios::binary} << text;
}

/// False (and says so) when bwrap cannot run here, so the sandbox tests pass vacuously.
inline bool sandbox_works() {
  const auto& probe = workspace::probe_sandbox();
  if (!probe.works())
    CAF_MESSAGE("skipped: " << probe.problem);
  return probe.works();
}

} // namespace et::test
