#pragma once
/// The run: one `et run` as an actor. It owns the run record, the journal writer, the
/// mayor, the pool (with its witness) and the phases, and drives every phase by message:
/// decompose -> execute (files written as each subtask finishes) -> verify <-> fix ->
/// synthesize -> refine -> finish. Everything that happens goes to its subscribers as
/// typed events (store::run_event); the last is run_finished. Cancel (a signal) and the
/// timeout are messages to the run. Resume is a run started from a journal's record.
///
/// Blocking work: the verify command runs in a detached actor (one per verify run), so
/// the run answers cancel while it runs. Journal appends (one fdatasync'd write each) are
/// done by the run itself: spawn it detached in production (spawn_run's `detached`).

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "caf/typed_actor.hpp"
#include "et/actors/fallback_log.hpp"
#include "et/actors/interfaces.hpp"
#include "et/config/settings.hpp"
#include "et/context/prompt.hpp"
#include "et/store/journal.hpp"
#include "et/store/run_events.hpp"
#include "et/workspace/command.hpp"

namespace et::actors {

/// run -> subscribers: the events of a run.
using run_event_atom = caf::atom_constant<caf::atom("runevent")>;
/// run -> verifier: run the verify command.
using verify_atom = caf::atom_constant<caf::atom("verify")>;

/// Whoever watches a run: the `et run` view, tests, later remote observers.
using run_observer = caf::typed_actor<
    /// run -> subscriber: the next event, in order; run_finished is the last.
    caf::reacts_to<run_event_atom, store::run_event>>;

/// What one verify run gave: the command's outcome, or why it could not run.
struct verify_report {
  bool ran = false;                   ///< the command started
  std::string error;                  ///< why it did not (when !ran)
  workspace::command_outcome outcome; ///< exit status, output (when ran)
  std::vector<std::string> removed;   ///< files that run on their own it made, removed after
  std::vector<std::string> notes;     ///< what its guard could not check or remove
};

/// Runs verify commands; setting the flag cancels the command in flight.
using verify_runner = caf::typed_actor<
    /// run -> verifier: run `spec`; replies once it ended, was cancelled or timed out.
    caf::replies_to<verify_atom, workspace::command_spec,
                    std::shared_ptr<std::atomic<bool>>>::with<verify_report>>;

/// A run as an actor.
using run_actor = caf::typed_actor<
    /// caller -> run: do the run; replies with the final record once it is over (after
    /// the run_finished event). Sent once.
    caf::replies_to<execute_atom>::with<store::run_record>,
    /// anyone -> run: subscribe to its events (from now on).
    caf::reacts_to<run_event_atom, run_observer>,
    /// signal watcher -> run: stop (Ctrl-C, SIGTERM, SIGHUP: the signal's number): work in
    /// flight is cancelled, what finished is kept, the run ends as interrupted.
    caf::reacts_to<cancel_atom, int32_t>,
    /// run -> itself: the run's --timeout passed.
    caf::reacts_to<tick_atom>,
    /// pool -> run: progress of a subtask.
    caf::reacts_to<status_atom, roles::progress>>;

/// Project excerpts for a subtask's text, from the run's index, with the text's embedding
/// when the run has one. Blocking (a query on disk or to Qdrant): the run calls it on its own
/// thread, so spawn the run detached when it is set.
using context_source = context::excerpt_source;

/// The embedding model a run asks the router for its subtasks' vectors: the one the index's
/// vectors were made with. An empty target: subtasks rank by BM25 alone.
struct query_embedding {
  std::string target;                 ///< alias or provider/model (context.embed)
  std::vector<std::string> fallbacks; ///< context.embed_fallbacks
  std::string model; ///< the model id the vectors must come from (another's do not mix)
};

/// The knobs of one run that are not in its record's header.
struct run_limits {
  double min_score = 7;       ///< witness threshold
  int max_reasks = 2;         ///< per subtask
  int verify_timeout_s = 600; ///< per verify run
  std::string bwrap;          ///< sandbox verify with this bwrap ("" = no sandbox)
  int timeout_s = 0;          ///< the whole run (0 = none)
};

/// Everything a run is made of.
struct run_setup {
  std::shared_ptr<const config::settings> settings; ///< roles, prompts, secrets, verify env
  router_actor router;                              ///< every model call
  ledger_actor ledger;                              ///< spend at the end
  fallback_log_actor fallbacks; ///< the router's reports of the mayor's, witness's and
                                ///< refinery's fallbacks, drained after each phase (may be null)
  store::run_record record;     ///< a new run's header, or a resumed run
  std::shared_ptr<store::journal_writer> journal; ///< opened for this run
  run_limits limits;                              ///< thresholds and timeouts
  std::vector<run_observer> observers;            ///< subscribed from the first event
  verify_runner verifier;         ///< null: a detached actor per verify run runs the command (tests
                                  ///< put a scripted one here)
  context_source context_for;     ///< per-subtask retrieval (null: subtasks get no excerpts)
  query_embedding embed_subtasks; ///< embeds the subtasks' texts for context_for (one call per
                                  ///< batch of jobs, before they run)
};

/// Spawns a run; nothing happens until it gets execute_atom. `detached`: on its own
/// thread (journal writes block), as `et run` does; tests use the scheduler.
run_actor spawn_run(caf::actor_system& sys, run_setup setup, bool detached);

/// Spawns the detached actor that runs one verify command with workspace::run_command.
verify_runner spawn_verify_runner(caf::actor_system& sys);

} // namespace et::actors
