#pragma once
/// Writing workers' files into an output directory: atomically, never outside
/// it, and noticing when two workers write the same path.
///
/// Refused paths (each reported, nothing written for them): empty, absolute
/// (`/x`, `C:\x`, `\\host\x`), any `..` component, NUL bytes, names with control
/// characters, bytes that are not UTF-8 or invisible characters (bidi and zero-width), a path
/// that differs only in letter case from one written before, a path whose
/// existing parent components include a symlink (or a symlink target itself),
/// a path that is an existing directory, and a path where a file would run on
/// its own when a tool opens the directory (`.git/` and the rest of the list in
/// auto_run.hpp). Parents that do not exist are created (0755). Files are written
/// to a temporary file (`NAME.et-PID-RANDOM.tmp`, see private_files.hpp) in the
/// same folder, flushed, then renamed over the target, so a reader sees the old
/// content or the new one, never half of it. A written file is 0644, or 0755 when
/// its block says mode=755; the mode of the file it replaces is not kept (it may
/// have been setuid), and the umask can only narrow these.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "et/plan/files.hpp"
#include "et/util/result.hpp"
#include "et/workspace/auto_run.hpp"

namespace et::workspace {

/// Why a path was refused.
enum class refusal {
  invalid_path,    ///< empty, absolute, a NUL byte, the directory itself
  escapes,         ///< a `..` component
  symlink,         ///< the file or a parent directory is a symlink
  not_a_file,      ///< the path is a directory or another non-regular file
  runs_on_its_own, ///< a file that would run when a tool opens the directory (auto_run.hpp)
};

/// A path that was not written, and why.
struct refused_path {
  std::string path;   ///< as the worker named it
  std::string reason; ///< for humans: "absolute path", "escapes the output directory", ...
  refusal kind = refusal::invalid_path; ///< the class of the refusal
  bool operator==(const refused_path&) const = default;
};

/// Two workers wrote the same path; the later one's content is on disk.
struct path_conflict {
  std::string path;    ///< normalised relative path
  int first_owner = 0; ///< the subtask that wrote it first
  int later_owner = 0; ///< the subtask whose content is now on disk
  bool operator==(const path_conflict&) const = default;
};

/// What writing one worker's blocks did.
struct write_report {
  std::vector<std::string> written;     ///< normalised relative paths, in order
  std::vector<refused_path> refused;    ///< paths not written
  std::vector<path_conflict> conflicts; ///< paths another subtask had written
  std::vector<std::string> errors;      ///< I/O failures ("path: message")
  bool operator==(const write_report&) const = default;
};

/// An output directory and who wrote what in it during one run. Not thread-safe:
/// one owner (the run) calls it.
class output_dir {
public:
  /// Writes into `root` (created when missing on the first write).
  explicit output_dir(std::filesystem::path root);

  /// Writes `blocks` for subtask `owner`. A path named twice in the same blocks is written
  /// once with the last content, and is no conflict; the same subtask writing a path again
  /// (a fix after verification) is no conflict either.
  write_report write(int owner, const std::vector<plan::file_block>& blocks);

  /// Normalised relative path -> the subtask whose content is on disk.
  const std::map<std::string, int>& owners() const { return owners_; }

  /// What would keep `blocks` of subtask `owner` from being written as given, without
  /// touching the disk: refused paths (by name: absolute, `..`, auto-run files) and paths
  /// another subtask owns. One sentence each, for the worker to act on.
  std::vector<std::string> problems(int owner, const std::vector<plan::file_block>& blocks) const;

  /// Records ownership without writing (a resumed run re-learns who wrote what).
  void adopt(const std::string& path, int owner) { owners_[path] = owner; }

  /// The directory.
  const std::filesystem::path& root() const { return root_; }

private:
  std::filesystem::path root_;
  std::map<std::string, int> owners_;
};

/// `path` made relative and normal ("a/./b" -> "a/b", "./x" -> "x", backslashes kept as
/// they are on POSIX), or the reason it is refused. Pure: looks at no file system.
result<std::string> normalise_relative(const std::string& path);

} // namespace et::workspace
