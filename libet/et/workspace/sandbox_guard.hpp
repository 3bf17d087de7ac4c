#pragma once
/// What the verify sandbox keeps from the model-written code it runs, beyond its fixed rules
/// (verify.hpp): the user's credentials, which that code could read and print into the output
/// that goes on to a model, and the files of its folder that run on their own (auto_run.hpp),
/// which a worker may not write as a file block and its code may not plant or change either.

#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "et/util/result.hpp"
#include "et/workspace/command.hpp"

namespace et::workspace {

/// Which file an entry is (a symlink itself, not what it points to).
struct entry_id {
  uint64_t device = 0;  ///< st_dev
  uint64_t inode = 0;   ///< st_ino
  bool symlink = false; ///< it is a symlink (never bound: a bind would follow it)
  std::string target;   ///< a symlink's target, as written
  /// Orders by file identity (device and inode) only.
  bool operator<(const entry_id& o) const {
    return std::tie(device, inode) < std::tie(o.device, o.inode);
  }
};

/// The entries under a folder that runs_on_its_own() refuses.
struct auto_run_scan {
  /// Relative path -> the file it is; nothing inside a refused folder is listed.
  std::map<std::string, entry_id> found;
  bool complete = true; ///< false: the look stopped at its limit of entries
};

/// Looks through `dir` for auto_run_scan entries, never following a symlink, at most
/// `max_entries` entries in all; a folder it cannot read makes the scan incomplete too.
auto_run_scan scan_auto_run(const std::filesystem::path& dir, size_t max_entries = 200'000);

/// A guarded verify run: its outcome and what it tried to leave behind.
struct guarded_outcome {
  result<command_outcome> outcome{command_outcome{}}; ///< as run_command's
  std::vector<std::string> removed; ///< entries that run on their own, made by it and removed
  std::vector<std::string> notes;   ///< what could not be checked or removed, one line each
};

/// Runs `spec`, whose wrapper is a sandbox_wrapper(), with every entry of spec.dir that runs on
/// its own bound read-only (a bound name cannot be removed, renamed or linked either; for a
/// symlink, the file it points to in the folder), then removes those that are not among the
/// files that were there before: made, or put in place of one, by the command (found by file
/// identity, so one moved with a renamed folder is kept). When the look before it could not
/// see everything, nothing is removed (it says so in `notes`).
/// `max_entries` bounds the look before it (auto_run_scan).
guarded_outcome run_guarded(command_spec spec, const std::atomic<bool>* cancel = nullptr,
                            size_t max_entries = 200'000);

} // namespace et::workspace
