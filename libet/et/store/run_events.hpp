#pragma once
/// What a run tells its subscribers (the `et run` view, `--json`, tests, later remote
/// observers) as it goes: one typed event per change. Folding the events into a run_record
/// with apply() gives the record the run holds, so a subscriber needs nothing else.
/// Plain structs, no CAF.

#include <string>
#include <variant>
#include <vector>

#include "et/store/journal.hpp"

namespace et::store {

/// A line for humans: a warning (also in the record), or news of the run.
struct run_noted {
  std::string line;        ///< without the "warning: " prefix
  bool warning = false;    ///< a warning: recorded in run_record::warnings
  bool plain_only = false; ///< redundant where the view redraws subtasks in place
  bool operator==(const run_noted&) const = default;
};

/// A phase began (decompose, execute, verify, fix, synthesize, refine).
struct run_phase_began {
  std::string name; ///< the phase
  bool operator==(const run_phase_began&) const = default;
};

/// A phase ended; it joins run_record::phases.
struct run_phase_ended {
  phase_record phase; ///< name and duration
  bool operator==(const run_phase_ended&) const = default;
};

/// The plan: it replaces the record's summary and subtasks.
struct run_planned {
  std::string summary;                  ///< the plan's summary
  std::vector<subtask_record> subtasks; ///< by number, all pending
  bool operator==(const run_planned&) const = default;
};

/// The mayor's brief for the workers; it becomes run_record::brief.
struct run_briefed {
  std::string brief; ///< shared interfaces, names, file layout, integration points
  bool operator==(const run_briefed&) const = default;
};

/// A subtask changed (assigned, reviewed, finished, wrote files): its whole new record.
struct run_subtask_changed {
  subtask_record subtask; ///< replaces the one with its number
  bool operator==(const run_subtask_changed&) const = default;
};

/// More of a subtask's answer arrived (not journaled; the view shows a rate).
struct run_streamed {
  int number = 0;    ///< the subtask
  int64_t bytes = 0; ///< bytes in this piece
  bool operator==(const run_streamed&) const = default;
};

/// A verify run ended; it joins run_record::verifications.
struct run_verified {
  verify_record verification; ///< outcome and blame
  bool operator==(const run_verified&) const = default;
};

/// The result was checked against the --accept criteria; it joins run_record::acceptance.
struct run_accepted {
  acceptance_record acceptance; ///< one verdict per criterion
  bool operator==(const run_accepted&) const = default;
};

/// A call moved on to another deployment or pool member; it joins run_record::fallbacks.
struct run_fell_back {
  fallback_record fallback; ///< who, from, to, why
  bool operator==(const run_fell_back&) const = default;
};

/// The run is over: the last event, with everything.
struct run_finished {
  run_record record;        ///< the run as journaled, status and spend included
  std::string cost_table;   ///< this session's cost by role, provider and model
  std::string journal;      ///< the journal's folder
  bool interrupted = false; ///< stopped by a cancel (a signal)
};

/// One event of a run.
using run_event = std::variant<run_noted, run_phase_began, run_phase_ended, run_planned,
                               run_briefed, run_subtask_changed, run_streamed, run_verified,
                               run_accepted, run_fell_back, run_finished>;

/// Folds `e` into `r` (a subscriber's copy of the run).
void apply(run_record& r, const run_event& e);

} // namespace et::store
