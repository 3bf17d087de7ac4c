#pragma once
/// What the pool (the mayor's fan-out over polecats) is given and reports:
/// lanes of members, the jobs to run, progress events and outcomes. Plain
/// structs, no CAF; their inspect overloads live in actors/et/actors/detail/inspect.hpp.
/// Building lanes from a config is `plan_lanes` (pool_lanes.cpp).

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "et/config/settings.hpp"
#include "et/llm/chat.hpp"
#include "et/llm/fallback.hpp"
#include "et/plan/decompose.hpp"
#include "et/roles/messages.hpp"

namespace et::roles {

/// One worker slot group: a model reference and how many subtasks it takes at once.
struct member_spec {
  std::string target;      ///< alias, alias@node or provider/model
  int max_concurrency = 1; ///< subtasks at once (>= 1)
  bool operator==(const member_spec&) const = default;
};

/// Where one kind of subtask goes: the worker role's pool, or a specialist's.
struct lane {
  std::string name;                  ///< "" for the worker role, else the specialist's name
  std::string role;                  ///< role name the router sees (prompts, budgets, ledger)
  std::vector<member_spec> members;  ///< tried first, each at most once per subtask
  std::vector<std::string> reserves; ///< the role's fallbacks, tried in order after all members
  std::string system_prompt;         ///< the lane's own system prompt ("" = the role's)
  bool operator==(const lane&) const = default;
};

/// A subtask to run (or to run again with feedback).
struct job {
  plan::subtask subtask; ///< number, text, dependencies, specialist
  std::string previous;  ///< a fix: the earlier answer ("" = a first run)
  std::string feedback;  ///< a fix: what to change
  std::string member;    ///< prefer this member (a re-ask goes back to the worker that wrote
                         ///< the answer) while it is healthy; "" = any
  std::string context;   ///< project excerpts retrieved for this subtask ("" = none)
  bool operator==(const job&) const = default;
};

/// When and how the witness reviews each result.
struct review_policy {
  bool enabled = false; ///< review at all (a witness is configured and not --no-review)
  double min_score = 7; ///< a result scoring below this is sent back
  int max_reasks = 2;   ///< re-asks per subtask after the first answer
  bool operator==(const review_policy&) const = default;
};

/// One execution: the jobs, their context and the lanes to run them on.
struct execution {
  std::string task;                    ///< the overall task
  std::string brief;                   ///< shared brief (the plan's summary)
  std::vector<job> jobs;               ///< what to run, any order
  std::vector<worker_result> finished; ///< results from earlier (resume, fixes): dependencies
  std::vector<lane> lanes;             ///< lanes[0] is the worker role's; others by name
  bool write_files = false;            ///< ask workers for file blocks
  review_policy review;                ///< witness reviews
  bool operator==(const execution&) const = default;
};

/// What became of one job.
struct subtask_outcome {
  worker_result result;   ///< number, text, output or error
  std::string member;     ///< target that gave the accepted answer ("" = none)
  std::string provider;   ///< provider of that answer
  std::string model;      ///< its model id
  usage tokens;           ///< every attempt that answered, re-asks included
  double usd = 0;         ///< what those answers cost (priced by the router, or by the node)
  int attempts = 0;       ///< tries on any member or reserve
  int reasks = 0;         ///< re-asks after reviews
  bool scored = false;    ///< the witness gave a score
  double score = 0;       ///< the last score (when scored)
  std::string note;       ///< the witness's last note
  bool cancelled = false; ///< stopped by cancel (neither done nor failed by a worker)
  /// A re-ask that got no answer (failed or cancelled): why. The result is then the answer
  /// the re-ask was to improve (the job's `previous`), still ok.
  std::string reask_failed;
  std::string review_failed; ///< the witness could not review the answer (why): kept unreviewed
  std::vector<fallback_taken> fallbacks; ///< members passed over after failing, in order
  bool operator==(const subtask_outcome&) const = default;
};

/// Kinds of progress events, in the order of progress::event_type's alternatives.
enum class progress_kind : uint8_t { assigned, streamed, attempt_failed, reviewed, finished };

/// Progress: the job went to `member`; `attempt` counts tries from 1.
struct progress_assigned {
  std::string member; ///< the target that works on it now
  int attempt = 0;    ///< tries so far, this one included
  bool operator==(const progress_assigned&) const = default;
};

/// Progress: more of the answer arrived.
struct progress_streamed {
  int64_t bytes = 0; ///< bytes in this piece
  bool operator==(const progress_streamed&) const = default;
};

/// Progress: an attempt failed; the job moves on (another member, a reserve, or its end).
struct progress_attempt_failed {
  std::string member; ///< who failed it ("" = unknown)
  int attempt = 0;    ///< which try failed
  std::string error;  ///< why
  bool operator==(const progress_attempt_failed&) const = default;
};

/// Progress: the witness scored the answer.
struct progress_reviewed {
  std::string member;     ///< whose answer it was
  double score = 0;       ///< 0..10
  std::string note;       ///< what to fix
  bool sent_back = false; ///< the pool asks again with the note (below the bar, re-asks left)
  bool operator==(const progress_reviewed&) const = default;
};

/// Progress: the job is over; the outcome says how.
struct progress_finished {
  subtask_outcome outcome; ///< result, member, usage, review
  bool operator==(const progress_finished&) const = default;
};

/// A progress event, sent to the observer as it happens: which subtask, and
/// what happened to it, each kind with its own named fields. (The kinds are
/// declared outside so their member defaults are usable inside the variant.)
struct progress {
  using assigned = progress_assigned;             ///< see progress_assigned
  using streamed = progress_streamed;             ///< see progress_streamed
  using attempt_failed = progress_attempt_failed; ///< see progress_attempt_failed
  using reviewed = progress_reviewed;             ///< see progress_reviewed
  using finished = progress_finished;             ///< see progress_finished
  /// One of the above, in progress_kind's order.
  using event_type = std::variant<assigned, streamed, attempt_failed, reviewed, finished>;

  int number = 0;   ///< the subtask
  event_type event; ///< what happened
  bool operator==(const progress&) const = default;
  /// Which kind of event this is.
  progress_kind kind() const { return static_cast<progress_kind>(event.index()); }
};

/// The lanes for running `worker_role`'s subtasks: lane 0 is the role's pool (its `model`
/// alone, taking up to `solo_concurrency` at once, when it has no pool), with the role's
/// model (when not a member) and fallbacks as reserves; then one lane per specialist.
std::vector<lane> plan_lanes(const config::settings& s, const std::string& worker_role,
                             int solo_concurrency);

/// The index of the lane for a subtask's specialist (0 for none or an unknown one).
size_t lane_for(const std::vector<lane>& lanes, const std::string& specialist);

} // namespace et::roles
