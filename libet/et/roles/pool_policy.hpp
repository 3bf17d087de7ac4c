#pragma once
/// The pool's scheduling policy as a plain state machine: the pool actor feeds
/// it what happened (an execution starts, an attempt answered or failed, a
/// review came back, cancel) and carries out the commands it returns (send a
/// job to a member, ask the witness, tell the observer, reply with the
/// outcomes). No I/O, no clock, no CAF: every rule is testable on its own.
///
/// The rules: a free member takes the next ready job (dependencies done,
/// lowest subtask number first; the least busy free member), at most
/// `max_concurrency` jobs per member at once. A failed attempt moves the job
/// to a member it has not tried, healthy members first (one that failed twice
/// in a row is benched while healthy untried members remain), then to the
/// lane's reserves in order, and only then fails it. Dependents of a failed
/// job fail without running. With reviews, an answer scoring below
/// `min_score` goes back with the note (any member may take it) until it
/// passes, `max_reasks` is reached or the answer repeats. A budget refusal moves
/// the job on like a failure (another member may be cheaper; nothing was spent);
/// cancel keeps finished work. Outcomes come in subtask order.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "et/llm/chat.hpp"
#include "et/llm/errc.hpp"
#include "et/roles/messages.hpp"
#include "et/roles/pool.hpp"

namespace et::roles {

/// Send a job to the worker of one lane slot (members first, then reserves).
struct dispatch_job {
  int number = 0;     ///< the subtask
  size_t lane = 0;    ///< index into pool_policy::lanes()
  size_t slot = 0;    ///< the lane's members, then its reserves
  std::string target; ///< that slot's model reference
  int attempt = 0;    ///< tries of this job so far, this one included
  work_order order;   ///< what the worker receives
};

/// Ask the witness to review a job's answer.
struct review_job {
  int number = 0;         ///< the subtask
  review_request request; ///< its text and the answer
};

/// The execution is over: reply with one outcome per job, in subtask order.
struct deliver_outcomes {
  std::vector<subtask_outcome> outcomes; ///< by subtask number
};

/// What the policy asks of its shell; `progress` goes to the observer.
using pool_command = std::variant<dispatch_job, review_job, progress, deliver_outcomes>;

/// The commands one event leads to, to be carried out in this order.
using pool_commands = std::vector<pool_command>;

/// What a worker answered for one attempt.
struct attempt_answer {
  std::string content;  ///< the answer ("" counts as a failed attempt)
  usage tokens;         ///< what it used
  double usd = 0;       ///< what it cost
  std::string provider; ///< who answered
  std::string model;    ///< with which model
};

/// The pool's scheduling state for one execution at a time.
class pool_policy {
public:
  /// Starts an execution; the previous one must be over (see running()).
  pool_commands start(execution exec);

  /// The attempt of job `number` answered. Usage counts even when the job is over.
  pool_commands answered(int number, attempt_answer answer);

  /// The attempt of job `number` failed: `cancelled` ends the job, anything else (a budget
  /// refusal too, which does not bench the member) moves the job on (recorded in the
  /// outcome's fallbacks once another member or reserve takes it). `http_status`: 0 when
  /// unknown.
  pool_commands attempt_failed(int number, errc code, const std::string& message,
                               int http_status = 0);

  /// The witness scored job `number`'s answer.
  pool_commands reviewed(int number, double score, const std::string& note);

  /// The review of job `number` failed: the answer is kept, unreviewed.
  pool_commands review_failed(int number, const std::string& message);

  /// Stops the execution: answers already in are kept, everything else is cancelled.
  pool_commands cancel();

  /// True from start() until the outcomes were delivered.
  bool running() const { return running_; }

  /// The execution's lanes (one empty lane when it gave none).
  const std::vector<lane>& lanes() const { return lanes_; }

private:
  /// A member or reserve of a lane.
  struct slot_state {
    member_spec spec;        ///< target and parallelism
    bool reserve = false;    ///< reserves take any number of jobs at once
    int busy = 0;            ///< jobs in flight on it
    int failures_in_row = 0; ///< failed attempts since its last success
  };

  /// Where a job stands.
  enum class phase { blocked, queued, running, reviewing, over };

  /// A job and its history in this execution.
  struct job_state {
    job work;                   ///< what to run (previous/feedback change on re-asks)
    size_t lane = 0;            ///< its lane
    phase at = phase::blocked;  ///< where it stands
    std::set<size_t> tried;     ///< member indexes that failed it
    size_t next_reserve = 0;    ///< reserves already used
    std::optional<size_t> slot; ///< where it runs now
    std::string last_error;     ///< the latest failed attempt's reason
    subtask_outcome outcome;    ///< filled as it goes
  };

  job_state* find(int number);
  std::optional<size_t> release(job_state& j);
  std::optional<size_t> choose(const job_state& j, bool& exhausted) const;
  work_order order_for(const job_state& j) const;
  void begin_attempt(job_state& j, size_t index, pool_commands& out);
  void on_failure(job_state& j, std::optional<size_t> slot, errc code, const std::string& message,
                  int http_status, pool_commands& out);
  void finish(job_state& j, pool_commands& out);
  void fail(job_state& j, std::string why, pool_commands& out);
  bool unblock(job_state& j, pool_commands& out);
  void settle(pool_commands& out);

  std::vector<lane> lanes_;                    ///< the execution's lanes
  std::vector<std::vector<slot_state>> slots_; ///< per lane: members, then reserves
  std::map<int, job_state> jobs_;              ///< by subtask number
  std::map<int, worker_result> done_;          ///< finished results, for dependents
  execution exec_;                             ///< the execution (jobs moved out)
  bool running_ = false;                       ///< outcomes not yet delivered
  bool cancelled_ = false;                     ///< cancel received: no new work
};

} // namespace et::roles
