#pragma once
/// What the sandbox suites (verify, sandbox_guard) share: running a command that must start,
/// and skipping where bwrap cannot run. Include after caf/test/unit_test.hpp.

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

/// False (and says so) when bwrap cannot run here, so the sandbox tests pass vacuously.
inline bool sandbox_works() {
  const auto& probe = workspace::probe_sandbox();
  if (!probe.works())
    CAF_MESSAGE("skipped: " << probe.problem);
  return probe.works();
}

} // namespace et::test
