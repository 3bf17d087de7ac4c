#pragma once
/// How run_command starts a command's process: fork and exec, with the child's set-up (its
/// own process group, default signals, stdin from /dev/null, stdout and stderr into a pipe,
/// its limits, no other descriptor) done between them on memory prepared before the fork.
/// posix_spawn would do most of it but cannot set resource limits for the child alone.

#include <sys/types.h>

#include "et/util/result.hpp"
#include "et/workspace/command.hpp"

namespace et::workspace::detail {

/// A pipe's ends, both close-on-exec (no child another thread starts meanwhile inherits them
/// and keeps the pipe open) and above 2 (the child's dup2s onto 0, 1 and 2 must not close them).
struct pipe_ends {
  int read = -1;  ///< the read end
  int write = -1; ///< the write end
};

/// The pipe a command's stdout and stderr go to; only its read end is non-blocking (the
/// command's writes must block when the pipe is full).
result<pipe_ends> make_output_pipe();

/// Starts `spec`'s wrapper (if any) and `/bin/sh -c command` in its own process group, within
/// its limits, with stdout and stderr into `out`. Its pid, or a failure naming what could not
/// be started and why (a failed exec included).
result<pid_t> spawn_shell(const command_spec& spec, int out);

} // namespace et::workspace::detail
