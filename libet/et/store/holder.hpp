#pragma once
/// Who holds a budget reservation: a process on this host, named so that a
/// reused pid is not mistaken for the process that made the reservation.

#include <string>
#include <sys/types.h>

namespace et::store {

/// "PID BOOT-ID START-TICKS" of process `pid` (start time from /proc/PID/stat and this
/// boot's id), or "" when there is no such process.
std::string process_holder(pid_t pid);

/// process_holder(getpid()).
std::string this_process_holder();

/// Whether the process that `holder` names still runs on this host (same pid, same boot,
/// same start time). A holder that does not parse is not alive.
bool holder_alive(const std::string& holder);

} // namespace et::store
