#pragma once
/// Internal to the pool actor: its members, jobs and the bookkeeping the
/// scheduler decides from. Kept apart so pool.cpp reads as the behaviour.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "caf/typed_response_promise.hpp"
#include "et/actors/roles/pool.hpp"

namespace et::actors::pool_detail {

/// A member (or reserve) of a lane and its worker.
struct member_slot {
  roles::member_spec spec; ///< target and parallelism
  bool reserve = false;    ///< reserves take any number of jobs at once
  polecat_actor worker;    ///< spawned when first needed
  int busy = 0;            ///< jobs in flight on it
  int failures_in_row = 0; ///< failed attempts since its last success
  /// Benched members get work only when no healthy untried member is left.
  bool benched() const { return failures_in_row >= 2; }
  /// True when it can take one more job now.
  bool free() const { return reserve || busy < spec.max_concurrency; }
};

/// Where a slot sits: its lane and index, reserves after the members.
struct slot_ref {
  size_t lane = 0;  ///< lane index
  size_t index = 0; ///< index into the lane's slots
};

/// Where a job stands.
enum class job_phase { blocked, queued, running, reviewing, over };

/// A job and its history in this execution.
struct job_state {
  roles::job job;  ///< what to run (previous/feedback change on re-asks)
  size_t lane = 0; ///< its lane
  job_phase phase = job_phase::blocked;
  std::set<size_t> tried;         ///< member indexes that failed it
  size_t next_reserve = 0;        ///< reserves already used
  std::optional<slot_ref> slot;   ///< where it runs now
  chunk_sink forwarder;           ///< relays its streamed bytes to the observer
  std::string last_error;         ///< the latest failed attempt's reason
  roles::subtask_outcome outcome; ///< filled as it goes
};

/// The pool's state.
struct pool_state {
  /// Declared so the state is no aggregate CAF would try to build from the self pointer.
  pool_state() = default;
  pool_setup setup;                            ///< collaborators
  std::vector<roles::lane> lanes;              ///< the execution's lanes
  std::vector<std::vector<member_slot>> slots; ///< per lane: members, then reserves
  std::map<int, job_state> jobs;               ///< by subtask number
  std::map<int, roles::worker_result> done;    ///< finished results, for dependents
  roles::execution exec;                       ///< the execution (jobs moved out)
  std::optional<caf::typed_response_promise<std::vector<roles::subtask_outcome>>> reply;
  bool cancelled = false; ///< cancel received: no new work
  std::string halt;       ///< why dispatching stopped ("" = it did not)
  static inline const char* name = "et.pool";
};

} // namespace et::actors::pool_detail
