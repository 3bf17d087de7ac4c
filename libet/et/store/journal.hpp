#pragma once
/// The run journal: one folder per run in the runs dir, holding an
/// append-only `journal.jsonl` (one JSON object per line, one line per event)
/// and the outputs (`outputs/subtask-NN.md`, `outputs/result.md`). Reading a
/// journal folds its events into a `run_record`, which is what `et runs`
/// shows and what `et run --resume` continues from.
///
/// Everything here is private: folders 0700, files 0600 (private_files.hpp); a run made
/// loose by an older et is tightened when it is resumed.
///
/// Each event is one line appended to a file opened with O_APPEND, then fdatasync'd, so a
/// crash leaves at most one torn last line, which the reader skips (and counts in
/// `damaged_lines`); a write that fails part way is cut back to where its line began.

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "et/llm/chat.hpp"
#include "et/llm/fallback.hpp"
#include "et/plan/acceptance.hpp"
#include "et/plan/decompose.hpp"
#include "et/store/states.hpp"
#include "et/util/result.hpp"

namespace et::store {

/// What a run was asked to do: the first event, and enough to resume it.
struct run_header {
  std::string id;                  ///< the run id (also the folder name)
  int64_t started_ms = 0;          ///< Unix ms
  std::string task;                ///< the task as given
  std::string config;              ///< absolute path of the config file
  std::string supervisor_role;     ///< --role
  std::string worker_role;         ///< --worker-role
  int max_subtasks = 10;           ///< --max-subtasks
  std::string output_dir;          ///< absolute --output-dir ("" = none)
  std::string verify;              ///< --verify command ("" = none)
  int max_iterations = 3;          ///< --max-iterations
  bool synthesize = true;          ///< false with --no-synthesize
  bool review = true;              ///< false with --no-review
  bool refine = true;              ///< false with --no-refine
  bool coordinate = true;          ///< false with --no-coordinate
  std::vector<std::string> accept; ///< --accept criteria (none: no acceptance check)
  double min_score = 7;            ///< --min-score (a resume may give it again)
  int max_reasks = 2;              ///< --max-reasks (a resume may give it again)
  int verify_timeout_s = 600;      ///< --verify-timeout (a resume may give it again)
  std::string sandbox;             ///< --sandbox auto|on|off ("" = the config's verify.sandbox)
  std::string context; ///< project context retrieved for the task, given to the mayor with it
  std::string seal;    ///< this state dir's seal of it (store/run_seal.hpp; "" = none)
  bool operator==(const run_header&) const = default;
};

/// One subtask as the journal last saw it.
struct subtask_record {
  int number = 0;                               ///< 1..N
  std::string text;                             ///< what to do
  std::vector<int> depends_on;                  ///< its dependencies
  std::string specialist;                       ///< "" = general pool
  subtask_state state = subtask_state::pending; ///< where it stands
  std::string member;                           ///< the pool member (alias) that gave the result
  std::string provider;                         ///< provider of the answer
  std::string model;                            ///< model id of the answer
  std::string output;                           ///< the answer ("" unless done)
  std::string error;                            ///< why it failed ("" unless failed)
  usage tokens;                                 ///< usage of every attempt and re-ask
  double usd = 0;                               ///< priced cost of every attempt and re-ask
  int attempts = 0;                             ///< tries (on any member)
  int64_t elapsed_ms = 0;                       ///< from first assignment to the result
  std::optional<double> score;                  ///< the witness's last score
  std::vector<std::string> files;               ///< relative paths it wrote
  std::vector<std::string> context; ///< sources ("path:start-end") retrieved for its prompt
  bool operator==(const subtask_record&) const = default;
};

/// One run of the verify command.
struct verify_record {
  int iteration = 0;       ///< 1..max_iterations
  bool passed = false;     ///< exit status 0 in time
  int exit_code = -1;      ///< -1 when killed
  bool timed_out = false;  ///< killed after the timeout
  std::string output;      ///< the tail of its output (at most 4 KiB)
  std::vector<int> blamed; ///< subtasks whose files it named (sent back for a fix)
  bool operator==(const verify_record&) const = default;
};

/// One check of the result against the --accept criteria.
struct acceptance_record {
  int iteration = 0;                           ///< 1..max_iterations
  std::vector<plan::criterion_result> results; ///< one per criterion, in order
  /// Every criterion passed.
  bool passed() const;
  bool operator==(const acceptance_record&) const = default;
};

/// A fallback the run took: a call moved on from one deployment or pool member to another.
struct fallback_record {
  int subtask = 0;       ///< the subtask it happened for (0 = a mayor, witness or refinery call)
  std::string role;      ///< the role that was asked
  fallback_taken taken;  ///< from, to and the typed reason
  bool answered = false; ///< `to` gave the answer
  bool operator==(const fallback_record&) const = default;
};

/// A phase (decompose, execute, verify, synthesize, refine) and how long it took.
struct phase_record {
  std::string name;       ///< phase name
  int64_t elapsed_ms = 0; ///< duration
  bool operator==(const phase_record&) const = default;
};

/// A run as its journal tells it.
struct run_record {
  run_header header;                         ///< what was asked
  run_status status = run_status::running;   ///< where the run stands
  std::string summary;                       ///< the plan's summary
  std::string brief;                         ///< the mayor's brief ("" = none)
  std::vector<std::string> warnings;         ///< plan repairs and other notes
  std::vector<subtask_record> subtasks;      ///< by number, in order
  std::vector<verify_record> verifications;  ///< in order
  std::vector<acceptance_record> acceptance; ///< --accept checks, in order
  std::vector<phase_record> phases;          ///< in order; a resumed run appends more
  std::vector<fallback_record> fallbacks;    ///< in order; a resumed run appends more
  std::string final_output;                  ///< the synthesized (and refined) answer
  usage tokens;                              ///< the whole run
  double usd = 0;                            ///< the whole run
  /// Calls of the whole run without a known price, so not in `usd` (nullopt: a journal from
  /// before they were counted, or a run not finished yet).
  std::optional<int64_t> unpriced;
  int64_t finished_ms = 0;  ///< Unix ms of the last `finished` (0 = never)
  int resumes = 0;          ///< how many times it was resumed
  size_t damaged_lines = 0; ///< unreadable lines skipped
  /// The subtask with `number`, or nullptr.
  const subtask_record* find(int number) const;
  /// Its fallbacks counted by reason.
  fallback_counts fallbacks_by_reason() const;
};

/// Appends events to one run's journal. Blocking file I/O: call from the app's thread or a
/// detached actor. Every method returns a failure naming the file when a write fails.
class journal_writer {
public:
  /// Called with a new run's folder once it is claimed, before its journal exists (to take
  /// the run's lock there: no reader then sees a journal whose run has not taken it yet). A
  /// failure stops the run's creation and leaves no folder.
  using claim_hook = std::function<result<void>(const std::filesystem::path& run_dir)>;

  /// Creates `runs_dir/header.id/` (parents too; folders 0700, files 0600), calls `claimed`
  /// (when given) and writes the `started` event. An id whose folder exists is an io_error:
  /// the id is taken.
  static result<journal_writer> create(const std::filesystem::path& runs_dir,
                                       const run_header& header, const claim_hook& claimed = {});
  /// create() with the id from `next_id`, asking for another while the id is taken (two runs
  /// started in the same second with the same random part), at most `tries` times.
  static result<journal_writer> create_new(const std::filesystem::path& runs_dir,
                                           const run_header& header,
                                           const std::function<std::string()>& next_id,
                                           const claim_hook& claimed = {}, int tries = 16);
  /// Opens an existing run's journal for appending and writes a `resumed` event.
  static result<journal_writer> reopen(const std::filesystem::path& run_dir);

  /// The plan: summary, brief, subtasks (numbers, text, dependencies, specialist), warnings.
  result<void> planned(const plan::decomposition& plan, const std::string& brief);
  /// Subtask `number` was given to `member` (attempt counts from 1).
  result<void> assigned(int number, const std::string& member, int attempt);
  /// An attempt of subtask `number` on `member` failed (the subtask may still succeed).
  result<void> attempt_failed(int number, const std::string& member, const std::string& error);
  /// The witness scored subtask `number` (round counts re-asks from 0).
  result<void> reviewed(int number, double score, const std::string& note, int round);
  /// The subtask's final outcome (state done or failed); a done subtask's output is also
  /// written to outputs/subtask-NN.md.
  result<void> subtask_finished(const subtask_record& record);
  /// Files subtask `number` wrote into the output dir.
  result<void> files_written(int number, const std::vector<std::string>& paths);
  /// One verify run.
  result<void> verified(const verify_record& record);
  /// The mayor's brief for the workers (coordination).
  result<void> briefed(const std::string& brief);
  /// The result was checked against the --accept criteria.
  result<void> accepted(const acceptance_record& record);
  /// A phase ended.
  result<void> phase(const std::string& name, int64_t elapsed_ms);
  /// A fallback was taken; its reason is journaled by name (to_string(errc)).
  result<void> fallback(const fallback_record& record);
  /// A note for humans (plan repairs, conflicts, refused paths).
  result<void> warning(const std::string& text);
  /// The final answer; also written to outputs/result.md.
  result<void> final_output(const std::string& text);
  /// The run ended with `status` (done, failed, interrupted) and this spend, `unpriced` calls
  /// of it without a known price (nullopt: not known, as for a run an older et began).
  result<void> finished(run_status status, const usage& tokens, double usd,
                        std::optional<int64_t> unpriced = std::nullopt);

  /// The run's folder.
  const std::filesystem::path& dir() const { return dir_; }
  /// The run's id (the folder's name).
  std::string id() const { return dir_.filename().string(); }

private:
  journal_writer(std::filesystem::path dir, int fd);
  struct fd_closer {
    void operator()(int* fd) const;
  };
  result<void> append(const std::string& line);
  std::filesystem::path dir_;
  std::shared_ptr<int> fd_;
};

/// A run id: UTC time of `t` and 32 random bits, "20261124-101500-3f2a9c01".
std::string make_run_id(std::time_t t, uint32_t random);

/// make_run_id() of now and std::random_device.
std::string new_run_id();

/// The largest journal read_run reads (a long run of 100 subtasks stays far below).
inline constexpr std::uintmax_t max_journal_bytes = 1ull << 30;

/// Reads `run_dir/journal.jsonl`. A missing folder or journal is errc::not_found naming it;
/// a first line that is not a `started` event, or a journal past max_journal_bytes, is
/// errc::invalid_input. The header's id is the folder's name (not what the journal says);
/// numbers outside what the command line allows read as their defaults, times outside
/// 1970..2100 as 0, and events about subtasks past max_plan_subtasks are ignored.
result<run_record> read_run(const std::filesystem::path& run_dir);

/// Every readable run under `runs_dir`, newest first (by started_ms), at most `limit`
/// (0 = all). Folders without a readable journal are skipped. A missing `runs_dir` is an
/// empty list.
std::vector<run_record> list_runs(const std::filesystem::path& runs_dir, size_t limit = 0);

} // namespace et::store
