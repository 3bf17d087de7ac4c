#pragma once
/// `et run` in pool mode: decompose, execute over the pool, verify, synthesize,
/// refine; every step journaled, files written as each worker finishes.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "caf/fwd.hpp"
#include "et/app/commands.hpp"
#include "et/context/prompt.hpp"
#include "et/store/journal.hpp"

namespace et::actors {
struct run_setup;
} // namespace et::actors

namespace et::app {

/// The flags of `et run` (pool mode reads all of them; single mode some).
struct run_options {
  std::string task;                      ///< what to do
  bool trust_journal = false;            ///< --trust-journal: resume an unsealed journal
  std::string supervisor_role = "mayor"; ///< --role
  std::string worker_role = "polecat";   ///< --worker-role
  bool synthesize = true;                ///< false with --no-synthesize
  bool review = true;                    ///< false with --no-review
  bool refine = true;                    ///< false with --no-refine
  bool coordinate = true;                ///< false with --no-coordinate
  std::vector<std::string> accept;       ///< --accept criteria
  int max_subtasks = 10;                 ///< --max-subtasks
  std::string output_dir;                ///< --output-dir ("" = none)
  std::string verify;                    ///< --verify command ("" = none)
  int max_iterations = 3;                ///< --max-iterations (verify runs)
  int verify_timeout_s = 600;            ///< --verify-timeout
  std::string sandbox;                   ///< --sandbox auto|on|off ("" = verify.sandbox)
  std::string bwrap;                     ///< set by run_pipeline: sandbox verify with it ("" = no)
  double min_score = 7;                  ///< --min-score (witness threshold)
  int max_reasks = 2;                    ///< --max-reasks (per subtask)
  /// Which of the flags a journal keeps but a resume may change were given: a resume takes the
  /// others from its journal.
  struct {
    bool min_score = false, max_reasks = false, verify_timeout = false, sandbox = false;
  } given;
  std::optional<double> budget;                ///< --budget USD
  int timeout_s = 0;                           ///< --timeout for the whole run (0 = none)
  bool json = false;                           ///< --json
  std::string resume;                          ///< --resume RUN_ID ("" = a new run)
  std::string context;                         ///< --context PATH|off ("" = the current project)
  std::string context_block;                   ///< what retrieval found for the task ("" = none)
  et::context::excerpt_source subtask_context; ///< per subtask, with its embedding (null = none)
  std::string subtask_embed; ///< the embedding model for subtask_context ("" = BM25 alone)
  std::vector<std::string> subtask_embed_fallbacks; ///< its fallbacks
  std::string subtask_embed_model;                  ///< the model id its vectors come from
};

/// Runs the pipeline; `resumed` continues that run (its plan and finished subtasks are
/// kept). Returns the exit code: 0 done, 1 a subtask or verification failed, 2 bad input
/// (also: verify.sandbox on where the sandbox cannot run), 128 + the signal when interrupted
/// (SIGINT, SIGTERM, SIGHUP).
int run_pipeline(context& ctx, std::shared_ptr<config::settings> settings, run_options opts,
                 std::optional<store::run_record> resumed);

/// Runs `setup` as a run actor (detached) in `sys` and shows its events until it is over;
/// a signal becomes a cancel to the run. Returns the exit code as run_pipeline does.
int watch_run(context& ctx, const run_options& opts, caf::actor_system& sys,
              actors::run_setup setup);

} // namespace et::app
