#pragma once
/// Who holds a budget reservation: a process, named so that a reused pid is not mistaken for
/// the process that made the reservation, and kept visibly alive by a lease so that processes
/// in other PID namespaces (containers sharing a state dir) do not take it for dead.

#include <filesystem>
#include <string>
#include <sys/types.h>

#include "et/util/result.hpp"

namespace et::store {

/// "PID BOOT-ID START-TICKS PID-NAMESPACE" of process `pid` (start time from /proc/PID/stat,
/// this boot's id, the inode of its PID namespace; "?" for what cannot be read), or "" when
/// there is no such process.
std::string process_holder(pid_t pid);

/// process_holder(getpid()), read through /proc/self.
std::string this_process_holder();

/// The folder of the leases of holders whose reservations are kept in `database`: `holders`
/// next to it.
std::filesystem::path lease_dir(const std::filesystem::path& database);

/// Takes this process's lease in `dir`: the file named after this_process_holder(), locked
/// (flock) for the rest of the process's life. Every process that shares the file system sees
/// through it that this one runs, whatever its PID namespace. Once per process and folder;
/// later calls return at once. The first call also removes the leases of processes that are gone.
/// Where the file system cannot lock (NFS without a lock daemon) there is no lease: holders
/// are then checked by pid, which works within one PID namespace only.
result<void> hold_lease(const std::filesystem::path& dir);

/// Whether the process that `holder` names still runs. Its lease in `dir` decides when it has
/// one. Without one, a holder of this PID namespace is checked by pid, boot and start time
/// (holders of older versions have no lease), and one of another namespace is not alive (a live
/// one keeps its lease). A holder that does not parse is not alive.
bool holder_alive(const std::string& holder, const std::filesystem::path& dir);

} // namespace et::store
