#pragma once
/// The bubblewrap sandbox a verify command runs in, and what of the file system it shows: an
/// allow list. Model-written code sees the system's programs and libraries, the toolchains it
/// builds with, its output dir and a private /tmp and home; nothing else of the machine exists
/// for it (other users' files, your projects, mounted disks, the host's sockets), so nothing
/// else can be printed into the output that goes on to a model.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace et::workspace {

/// What a sandboxed command sees besides the system folders, its output dir and a private /tmp.
struct sandbox_view {
  /// Shown as an empty, writable folder ("" = none), so that HOME works but holds nothing of
  /// the user's; what is written there is gone with the sandbox.
  std::filesystem::path home;
  /// Shown read-only (toolchains, PATH folders, verify.read_only); absolute. Each is shown
  /// where it is, or, inside a shown folder through a link leading elsewhere, where that leads.
  std::vector<std::filesystem::path> read_only;
  /// Replaced by an empty one where the view would show it (credentials, et's own files).
  std::vector<std::filesystem::path> hidden;
  /// The most each writable tmpfs (/tmp, /var/tmp, the home) may hold: they live in memory.
  uint64_t tmpfs_bytes = uint64_t{1} << 30;
};

/// The system folders every sandbox shows read-only where the host has them: /usr, /etc,
/// /opt, /sys, /nix, /gnu, the programs and libraries of Homebrew's /home/linuxbrew/.linuxbrew;
/// and /bin, /sbin and /lib* as links into /usr or as folders.
const std::vector<std::string>& system_folders();

/// What in the system folders is hidden even so: /etc/environment, where some put API keys for
/// every login; password hashes and keys (/etc/shadow, /etc/ssh, /etc/ssl/private...), which
/// only root can read, and et may run as root; and the Nix daemon's socket, whose builds reach
/// the network.
const std::vector<std::string>& system_hidden();

/// The folders of a home shown read-only where they exist (relative to it): toolchains and
/// their package caches (~/.cargo/bin and registry, ~/.rustup, ~/.pyenv, ~/.nvm, ~/go,
/// ~/.m2/repository...), never their settings files that hold credentials. A build needs its
/// compilers; none needs the home's other files.
const std::vector<std::string>& home_toolchains();

/// The credential stores under `home` that exist: ~/.ssh, ~/.gnupg, ~/.aws, ~/.kube,
/// ~/.docker, ~/.netrc, ~/.git-credentials, ~/.config/gh, cargo's, maven's and gradle's and the
/// like. Hidden even where a toolchain folder holding one is shown.
std::vector<std::filesystem::path> credential_paths(const std::filesystem::path& home);

/// The view of a verify command for a user with `home` (absolute, else none) and PATH `path`:
/// the home's toolchains, each absolute folder of `path` that config::refused_read_only() lets
/// through (never one holding a home; for the bin/ of a Python venv or a conda env, the whole
/// env), `extra` (verify.read_only), and `hidden` with credential_paths(home) added.
sandbox_view verify_view(const std::filesystem::path& home, std::string_view path,
                         const std::vector<std::filesystem::path>& extra,
                         std::vector<std::filesystem::path> hidden);

/// The bwrap command line (up to, not including, the command) confining a command to `dir`
/// (absolute): a file system built of `view` and system_folders() (a read-only entry that
/// config::refused_read_only() refuses is left out), read-only but for `dir`, the home and a
/// private /tmp and /var/tmp; no network (its own network namespace, whose loopback is its
/// own), its own PID and IPC namespaces and session, no capabilities, a minimal /dev and its
/// own /proc, killed when this process dies. No /run: the host's UNIX sockets (the session bus
/// could start a process outside the sandbox, a docker socket is root) are not there.
std::vector<std::string> sandbox_wrapper(const std::string& bwrap, const std::filesystem::path& dir,
                                         const sandbox_view& view = {});

} // namespace et::workspace
