#pragma once
/// How a verify command is confined: the model wrote the code it runs, so it gets a minimal
/// environment (never a configured secret) and, where bubblewrap works, a sandbox without
/// network in which only the output dir and a private /tmp are writable.

#include <filesystem>
#include <string>
#include <vector>

#include "et/config/env.hpp"
#include "et/config/settings.hpp"
#include "et/workspace/sandbox.hpp"

namespace et::workspace {

/// The variables every verify command gets (when set): PATH, HOME, LANG, TMPDIR.
const std::vector<std::string>& base_verify_variables();

/// A verify command's environment.
struct verify_environment {
  std::vector<std::string> vars;     ///< "NAME=value" each
  std::vector<std::string> withheld; ///< names left out because they hold a secret
};

/// The base variables and `extra` (names from the config) looked up in `env`; a variable whose
/// value contains one of `secrets` is withheld. In a sandbox TMPDIR is its private /tmp.
verify_environment make_verify_environment(const std::vector<std::string>& extra,
                                           const std::vector<std::string>& secrets,
                                           const config::env_lookup& env, bool sandboxed);

/// What of a verify command's output may be journaled and sent to a model: every secret
/// replaced by "****", at most `max` bytes (the last ones, after "..."). When the start was cut
/// off (here or, `truncated`, by the command's output limit), as many bytes as the longest
/// secret could have left there are dropped too, so no part of one survives.
std::string shareable_output(const std::string& output, bool truncated,
                             const std::vector<std::string>& secrets, size_t max);

/// Whether the bubblewrap sandbox runs on this machine.
struct sandbox_probe {
  std::string bwrap;   ///< absolute path of bwrap when it works, else ""
  std::string problem; ///< one line saying why it does not ("" when it does)
  /// True when verify commands can be sandboxed.
  bool works() const { return !bwrap.empty(); }
};

/// What to add to a failed probe's problem when `apparmor_switch` (the kernel's
/// apparmor_restrict_unprivileged_userns) says 1: AppArmor then keeps bwrap from the user
/// namespaces it needs, and installing it again would not help. "" otherwise.
std::string userns_hint(const std::filesystem::path& apparmor_switch);

/// Finds bwrap (PATH, then /usr/bin and /bin) and runs `true` in the sandbox once; the answer
/// is kept for the life of the process. User namespaces may be off (containers, hardened
/// kernels), so finding the binary is not enough.
const sandbox_probe& probe_sandbox();

/// Whether a verify command may run, and how.
struct sandbox_choice {
  std::string bwrap;   ///< the sandbox to run it in ("" = none)
  std::string refusal; ///< why it may not run at all ("" = it may)
  std::string note;    ///< one line to print first ("" = none)
};

/// What `mode` means where the sandbox is as `probe` found it: `on` refuses to run model-written
/// code without it (failing closed, the default), `auto` runs it unconfined with a note, `off`
/// runs it unconfined.
sandbox_choice choose_sandbox(config::sandbox_mode mode, const sandbox_probe& probe);

} // namespace et::workspace
