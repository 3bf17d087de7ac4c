#pragma once
/// Which files of a project the retrieval index reads: `git ls-files` inside a git work tree
/// (so .gitignore is respected), else a walk; never dot-files or dot-folders (.env, .git:
/// where secrets and tool state live), generated folders (build*, node_modules), symlinks,
/// binaries or oversized files.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/util/result.hpp"

namespace et::context {

/// Files larger than this are not indexed (generated data, logs, bundles).
constexpr uintmax_t max_file_bytes = 1024 * 1024;

/// A file with a NUL byte among its first this many bytes is binary.
constexpr size_t binary_probe_bytes = 8192;

/// The project root for `dir`: the top level of the git work tree holding it, else `dir`
/// itself (also when git names a work tree elsewhere, as core.worktree can); canonical. Fails with
/// io_error when `dir` is not a folder.
result<std::filesystem::path> project_root(const std::filesystem::path& dir);

/// True when a relative path (`/`-separated) lies in a folder et never indexes (one whose
/// name starts with `.`, starts with `build`, or is `node_modules`), names a dot-file, or
/// names a file that usually holds a secret (secret_file_name()).
bool never_indexed(std::string_view relative);

/// True for a file name that usually holds a secret, whatever its folder: SSH keys (id_rsa,
/// id_ed25519, ...), keys and certificate stores (.pem, .key, .p12, .pfx, .jks, .keystore,
/// PuTTY .ppk), password databases (.kdbx), Terraform state and variables, kubeconfig,
/// credentials files and et's own config.
bool secret_file_name(std::string_view name);

/// True when `text` holds a private key: "-----BEGIN ... PRIVATE KEY-----" (PEM, OpenSSH,
/// PGP's "PRIVATE KEY BLOCK", SSH2's "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----") anywhere
/// (indented, in comments, in string literals, escaped in JSON) followed by key material
/// (base64, perhaps after header lines); such a PEM file put in base64 (kubeconfig's
/// client-key-data); a PuTTY key. Not a mention of the line, as in code that parses keys
/// (context/private_keys.cpp).
bool holds_private_key(std::string_view text);

/// The candidate files under `root` as `/`-separated paths relative to it, sorted: what
/// `git -C ROOT ls-files -co --exclude-standard` lists when ROOT is in a git work tree, else
/// a walk of regular files; paths never_indexed() left out either way. A git listing past
/// `max_listing` bytes is an error, not a walk (which would not honour .gitignore); so is a
/// walk that meets more than `max_listing` bytes of names.
result<std::vector<std::string>> list_files(const std::filesystem::path& root,
                                            size_t max_listing = size_t{64} << 20);

/// The version of what never_indexed() and read_candidate() leave out; one more with each new
/// rule. An index made under other rules reads every file again at its next update, so a file
/// a new rule refuses (a secret) leaves it even when unchanged.
inline constexpr std::string_view file_rules_version = "2";

/// Why a file was not read into the index.
enum class skip_reason { none, missing, not_regular, too_big, binary, secret };

/// A candidate's bytes, or why it is skipped (`reason` != none, `bytes` empty).
struct file_read {
  skip_reason reason = skip_reason::none; ///< none when `bytes` holds the file
  std::string bytes;                      ///< the content
};

/// What lstat says of a candidate: enough to tell it has not changed since it was read.
struct file_stamp {
  int64_t size = 0;     ///< bytes
  int64_t mtime_ns = 0; ///< modification time, ns since the Unix epoch (anyone may set it)
  int64_t ctime_ns = 0; ///< status change time: the kernel sets it on every write or utime
  uint64_t inode = 0;   ///< a file replaced by rename has another one
  /// "size:mtime:ctime:inode", as the index keeps it.
  std::string text() const;
};

/// `root/relative`'s stamp when it is a regular file (not a symlink); nullopt otherwise.
std::optional<file_stamp> stamp_of(const std::filesystem::path& root, const std::string& relative);

/// Reads `root/relative` unless it or a folder on the way is a symlink, it is not a regular file
/// (a FIFO is never waited on), larger than `max_bytes` (never read past that) or binary (a NUL
/// byte among the first binary_probe_bytes). What is checked is the file opened, not its name.
file_read read_candidate(const std::filesystem::path& root, const std::string& relative,
                         uintmax_t max_bytes = max_file_bytes);

} // namespace et::context
