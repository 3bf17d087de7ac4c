#pragma once
/// Where et keeps its state: the cost ledger, run journals and logs.

#include <filesystem>
#include <string>

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

/// Why `output_dir` may not take the files a model writes ("" when it may): it may not be the
/// home folder or hold it, and may neither hold nor lie inside et's own folders (the state
/// dir, the runs dir, the default state dir with the trust file, the user's config folder,
/// and ~/.ssh, ~/.gnupg and ~/.local/bin, where a file grants a login or runs as a command).
/// A model's answer there could rewrite et's config (trusted as the user's own), its seals
/// and journals, or the user's dotfiles. Nor may it be what refused_read_only() refuses (the
/// host's /tmp, a folder in /run, one holding a socket...): the verify sandbox binds it
/// writable, and would show what it keeps private. Nor may it hold `unchecked_config`, a config
/// file et reads without a trust check (--config): the next run would read what a model wrote.
std::string refused_output_dir(const std::filesystem::path& output_dir, const settings& s,
                               const env_lookup& env,
                               const std::filesystem::path& unchecked_config = {});

/// Why the verify sandbox may not show `folder` read-only ("" when it may), `home` being the
/// user's (may be empty): the whole machine; a home (`home`, the home of this process's user,
/// /home, /var/home, /root) or a folder holding one; the host's /tmp, /var/tmp, /run, /var/run,
/// /dev or /proc or a folder holding one; a folder inside /dev, /proc or /run (but NixOS's
/// /run/current-system and /run/wrappers); or a folder in /tmp or /var/tmp that holds a socket.
/// The sandbox keeps those private: their sockets reach tmux, ssh agents, the session bus, and
/// a read-only folder does not stop a connect. Compared as written and with links resolved.
std::string refused_read_only(const std::filesystem::path& folder,
                              const std::filesystem::path& home);

} // namespace et::config
