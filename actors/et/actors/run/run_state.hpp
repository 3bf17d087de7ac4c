#pragma once
/// Internal to the run actor: its state and the steps the handlers share. The steps live
/// in run.cpp (lifecycle, plan, synthesis), run_execute.cpp (pool progress, files) and
/// run_verify.cpp (verify and fix rounds).

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "caf/typed_event_based_actor.hpp"
#include "caf/typed_response_promise.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/run/run.hpp"
#include "et/actors/run/run_inspect.hpp"
#include "et/workspace/files.hpp"

namespace et::actors::run_detail {

/// Where the run stands.
enum class stage : uint8_t {
  idle,
  planning,
  retrieving,
  executing,
  verifying,
  combining,
  finishing,
  over
};

/// The run's state.
struct run_state {
  /// Declared so the state is no aggregate CAF would try to build from the self pointer.
  run_state() = default;
  run_setup setup;                                     ///< what the run is made of
  store::run_record& record() { return setup.record; } ///< the run as journaled
  std::optional<workspace::output_dir> output;         ///< --output-dir, who wrote what
  std::optional<caf::typed_response_promise<store::run_record>> reply; ///< to execute_atom
  stage now = stage::idle;                                             ///< the current stage
  std::string phase;                                                   ///< the current phase's name
  std::chrono::steady_clock::time_point phase_start;                   ///< when it began
  std::map<int, std::chrono::steady_clock::time_point> started;        ///< first assignment
  std::map<int, int> review_rounds;                                    ///< re-asks journaled so far
  mayor_actor mayor;                                                   ///< plans and combines
  witness_actor witness;                                               ///< reviews (null: none)
  witness_actor judge;         ///< checks the result against --accept (null: no criteria)
  int accept_rounds = 0;       ///< acceptance checks in this session
  pool_actor pool;             ///< runs the subtasks
  bool interrupted = false;    ///< a cancel came
  int signal = 0;              ///< its signal
  bool timed_out = false;      ///< the --timeout passed
  bool pool_cancelled = false; ///< cancel sent to the pool
  bool journal_failed = false; ///< said once
  bool withheld_noted = false; ///< said once
  bool brief_asked = false;    ///< the mayor was asked
  /// Who wrote the answers of subtasks sent back after they were done (a fix, a re-ask for
  /// file blocks): restored when the re-ask gets no answer and the earlier one stands.
  std::map<int, std::array<std::string, 3>> authors; // member, provider, model
  std::set<int> file_reasks; ///< subtasks sent back for their file blocks (once each; the pool
                             ///< keeps the first answer if the re-ask gets none)
  std::vector<roles::job> files_to_reask; ///< those re-asks, sent when the pool is done
  uint64_t token = 0;            ///< counts abandonable requests; a stale reply finds it moved on
  std::string last_failure;      ///< why the last abandonable request failed
  std::function<void()> abandon; ///< what a stop does to the request in flight (or empty)
  std::shared_ptr<std::atomic<bool>> verify_cancel; ///< the verify command in flight
  /// Subtasks' embeddings by text: a re-ask of the same subtask is not embedded again.
  std::map<std::string, std::vector<float>> query_vectors;
  bool bm25_said = false;  ///< a subtask's embedding went unused: said once
  uint64_t embeddings = 0; ///< embedding calls sent (their router ids)
  static inline const char* name = "et.run";
};

using run_pointer = run_actor::stateful_pointer<run_state>;

// run.cpp
/// True once cancelled or timed out.
bool stopping(const run_state& st);
/// Sends `e` to every subscriber.
void publish(run_pointer self, store::run_event e);
/// A line for humans; a warning is recorded and journaled.
void note(run_pointer self, const std::string& line, bool warning = false, bool plain_only = false);
/// Reports a failed journal write once; the run goes on.
void jot(run_pointer self, const result<void>& written);
/// Starts a phase: it becomes the current one and subscribers hear of it.
void begin_phase(run_pointer self, const std::string& name);
/// Ends the current phase: its duration is recorded, journaled and published.
void end_phase(run_pointer self);
/// A fallback the run took: recorded, journaled, published.
void took(run_pointer self, store::fallback_record f);
/// Takes the fallbacks the router reported since the last time, then `then` (may be empty).
void take_reported_fallbacks(run_pointer self, std::function<void()> then);
/// "[n/N]".
std::string label(const run_state& st, int number);
/// The plan's view of subtask `s`: number, text, dependencies, specialist.
plan::subtask subtask_of(const store::subtask_record& s);
/// The job that runs `s`: a first run (no feedback), or a fix that carries its previous
/// answer and what to change; `member`: the worker it goes back to ("" = any).
roles::job job_for(const store::subtask_record& s, std::string feedback = {},
                   std::string member = {});
/// The subtask with `number` (nullptr when the plan has none).
store::subtask_record* find(store::run_record& r, int number);

// run_plan.cpp
/// Asks the mayor for the plan; then after_plan.
void decompose(run_pointer self);
/// After the plan: the brief when it needs one, then execute what is not done, then verify.
void after_plan(run_pointer self);

// run_finish.cpp
/// Combines the results, refines, finishes.
void synthesize(run_pointer self);
/// Sets the final status, stops the run's actors, reports the spend and replies.
void finish(run_pointer self);
/// Polishes the final text with the refinery (when asked), then finishes.
void refine(run_pointer self);

// run_accept.cpp
/// After synthesis: the --accept check (failures go back to their subtasks, then the
/// result is combined again), then refine.
void after_synthesis(run_pointer self);

// run_execute.cpp
/// Sends `jobs` to the pool (phase `phase`, or by default execute, or fix after a
/// verification); answers whose file blocks need fixing go back once; then `next`.
void execute(run_pointer self, std::vector<roles::job> jobs, std::function<void()> next,
             std::string phase = {});
/// A progress event from the pool: record, journal, publish.
void on_progress(run_pointer self, const roles::progress& p);
/// Writes the file blocks of `rec`'s answer into the output dir (refusals and conflicts noted),
/// adds what it wrote to rec.files and journals it.
void write_files(run_pointer self, store::subtask_record& rec);

// run_verify.cpp
/// Verify run `iteration` (1..max_iterations), fix rounds between them, then synthesize.
void verify(run_pointer self, int iteration);

// Sends a request the run may abandon on a stop: `done` gets the value, or nullopt after
// a failure or a stop (at most once). A failure is noted as "`what` failed: why", or, with
// `what` null, left in state.last_failure for `done` to say.
template <class T, class Handle, class... Ts>
void ask(run_pointer self, const char* what, const Handle& who,
         std::function<void(std::optional<T>)> done, Ts&&... xs) {
  auto token = ++self->state.token;
  auto once = [self, token, done](std::optional<T> x) {
    if (self->state.token != token)
      return; // abandoned: the run moved on
    ++self->state.token;
    self->state.abandon = nullptr;
    done(std::move(x));
  };
  self->state.abandon = [once] { once(std::nullopt); };
  self->request(who, caf::infinite, std::forward<Ts>(xs)...)
      .then([once](T& x) { once(std::move(x)); },
            [self, what, once, token](caf::error& e) {
              // An abandoned request's failure is not news; without `what` the caller says it.
              if (self->state.token == token) {
                self->state.last_failure = to_string(from_caf(e));
                if (what != nullptr)
                  note(self, std::string{what} + " failed: " + self->state.last_failure, true);
              }
              once(std::nullopt);
            });
}

} // namespace et::actors::run_detail
