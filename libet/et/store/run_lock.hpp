#pragma once
/// One process per run: `et run` (fresh or --resume) holds an flock on
/// RUN_DIR/lock for the run's whole life, with its pid written in the file,
/// so a second `et run --resume ID` is refused instead of redoing the same
/// subtasks. The kernel drops the lock when the process dies, however it dies.

#include <filesystem>
#include <memory>

#include "et/util/result.hpp"

namespace et::store {

/// A held run lock; released (the file is kept) when destroyed.
class run_lock {
public:
  /// Takes the lock of `run_dir` without waiting. Another holder (another process, or
  /// another run_lock in this one: flock belongs to the open file) is errc::io_error
  /// "run ID is in use by pid N"; so is a lock file that cannot be opened (naming it).
  static result<run_lock> acquire(const std::filesystem::path& run_dir);

  /// Whether a process holds the lock of `run_dir` now. A journal that says its run is running
  /// when none does was left by a process that died without a word (kill -9, a crash, a power
  /// cut). Where locks cannot be tested (no lock file support), true: never a live run called dead.
  static bool in_use(const std::filesystem::path& run_dir);

  /// The lock file.
  const std::filesystem::path& file() const { return file_; }

private:
  run_lock(std::filesystem::path file, int fd);
  struct fd_closer {
    void operator()(int* fd) const;
  };
  std::filesystem::path file_;
  std::shared_ptr<int> fd_;
};

} // namespace et::store
