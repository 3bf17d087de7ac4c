#pragma once
/// What an end-to-end run with --verify adds to its command line on this machine. Include
/// after caf/test/unit_test.hpp.

#include <string>
#include <vector>

#include "caf/test/unit_test.hpp"
#include "et/workspace/verify.hpp"

namespace et::e2e {

/// Nothing where the verify sandbox works (et requires it by default); `--sandbox off` where
/// bwrap cannot run, said in the test's output, so a suite about something else still runs.
inline std::vector<std::string> verify_sandbox_flags() {
  const auto& probe = workspace::probe_sandbox();
  if (probe.works())
    return {};
  CAF_MESSAGE("verify runs unconfined here: " << probe.problem);
  return {"--sandbox", "off"};
}

} // namespace et::e2e
