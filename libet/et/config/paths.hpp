#pragma once
/// Where et keeps its state: the cost ledger, run journals and logs.

#include <filesystem>

#include "et/config/env.hpp"
#include "et/config/settings.hpp"

namespace et::config {

/// defaults.state_dir, else $XDG_STATE_HOME/electrictown, else
/// ~/.local/state/electrictown (relative to the working directory without HOME).
std::filesystem::path state_dir(const settings& s, const env_lookup& env);

/// The SQLite cost ledger inside the state dir.
std::filesystem::path ledger_file(const settings& s, const env_lookup& env);

/// defaults.runs_dir, else state_dir/runs.
std::filesystem::path runs_dir(const settings& s, const env_lookup& env);

} // namespace et::config
