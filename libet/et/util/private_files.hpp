#pragma once
/// Files and folders et keeps for itself (the state dir, run journals and outputs, the ledger,
/// session transcripts) and the temporary files it writes on the way.
///
/// They hold prompts, answers and spend, so they are private: folders 0700 and files 0600,
/// whatever the umask (which can only narrow them further). Ones made loose by an older et
/// are tightened when et opens them, but only when the current user owns them; nothing
/// above the folder et was pointed at is touched except for parents it creates itself.
///
/// Temporary files are named `NAME.et-PID-RANDOM.tmp` (RANDOM: 16 hex digits), created with
/// O_EXCL|O_NOFOLLOW next to NAME and renamed over it; is_temp_name() recognises exactly
/// that pattern, so cleaning up never touches a file et did not make.

#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "et/util/result.hpp"

namespace et {

/// Creates `dir` and its missing parents with mode 0700, and makes `dir` 0700 when it already
/// exists with a looser mode and belongs to the current user.
result<void> make_private_dir(const std::filesystem::path& dir);

/// Creates `dir` and its missing parents with `mode` (narrowed by the umask); existing ones are
/// left as they are.
result<void> make_dirs(const std::filesystem::path& dir, mode_t mode);

/// Opens (flags as for open(2), e.g. O_WRONLY|O_APPEND|O_CREAT) `file` with mode 0600 when
/// created; an existing file of the current user with a looser mode is made 0600. The fd is
/// close-on-exec. Returns the fd or an io_error naming the file.
result<int> open_private_file(const std::filesystem::path& file, int flags);

/// Writes all of `data` to `fd`, again after EINTR and short writes. False on a failure, errno
/// saying which (EIO when a write wrote nothing).
bool write_all(int fd, std::string_view data);

/// Makes an existing `file` of the current user 0600 when it is looser (it may be missing).
void tighten_private_file(const std::filesystem::path& file);

/// A fresh temporary name for `name`: "NAME.et-PID-RANDOM.tmp".
std::string temp_name_for(std::string_view name);

/// True when `name` (a file name, no folder) has the form temp_name_for() makes; `pid` is set
/// to the process that made it.
bool is_temp_name(std::string_view name, pid_t* pid = nullptr);

/// Removes et's temporary files left in `dir` (and, with `recursive`, its subfolders, never
/// following symlinks) by processes that are gone. Returns how many were removed.
size_t remove_stale_temps(const std::filesystem::path& dir, bool recursive);

} // namespace et
