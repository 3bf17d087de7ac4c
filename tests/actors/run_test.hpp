#pragma once
/// What the run actor suites share: a run on the deterministic scheduler over mock
/// providers, its journal in a scratch folder, its events collected, and a scripted
/// verifier in place of the detached one (the deterministic coordinator cannot step a
/// detached actor's thread). Include after caf/test/dsl.hpp.

#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "actor_test.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/mock_provider.hpp"
#include "et/actors/router.hpp"
#include "et/actors/run/run.hpp"
#include "et/actors/run/run_inspect.hpp"
#include "temp_dir.hpp"

namespace et::test {

/// Collects a run's events.
struct events_state {
  std::vector<store::run_event> events;
  static inline const char* name = "run-events";
};

inline actors::run_observer::behavior_type
collect_events(actors::run_observer::stateful_pointer<events_state> self) {
  return {
      [=](actors::run_event_atom, const store::run_event& e) { self->state.events.push_back(e); }};
}

/// Answers verify runs from a script (then: passed) and keeps the commands it was given.
struct verifier_state {
  std::deque<actors::verify_report> script;
  std::vector<workspace::command_spec> seen;
  static inline const char* name = "scripted-verifier";
};

inline actors::verify_runner::behavior_type
scripted_verifier(actors::verify_runner::stateful_pointer<verifier_state> self) {
  return {[=](actors::verify_atom, const workspace::command_spec& spec,
              const std::shared_ptr<std::atomic<bool>>&) {
    self->state.seen.push_back(spec);
    actors::verify_report r{true, "", {}};
    r.outcome.exit_code = 0;
    if (!self->state.script.empty()) {
      r = self->state.script.front();
      self->state.script.pop_front();
    }
    return r;
  }};
}

/// A verify run that failed with `output`.
inline actors::verify_report failed_verify(std::string output) {
  actors::verify_report r{true, "", {}};
  r.outcome.exit_code = 1;
  r.outcome.output = std::move(output);
  return r;
}

/// One run under the test coordinator.
struct run_fixture : test_coordinator_fixture<test_config>, et::test::scratch_dir {
  std::shared_ptr<config::settings> settings;
  actors::router_actor router;
  actors::fallback_log_actor fallbacks;
  actors::run_observer watcher;
  actors::verify_runner verifier;

  run_fixture() : scratch_dir("run") {
    watcher = sys.spawn(collect_events);
    verifier = sys.spawn(scripted_verifier);
  }

  ~run_fixture() {
    for (auto h : {caf::actor_cast<caf::actor>(router), caf::actor_cast<caf::actor>(fallbacks),
                   caf::actor_cast<caf::actor>(watcher), caf::actor_cast<caf::actor>(verifier)})
      if (h)
        caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Loads `yaml` and starts a router over its mock providers, reporting to a fallback log.
  void load(std::string_view yaml) {
    settings = load_settings(yaml, "run-test.yaml");
    fallbacks = actors::spawn_fallback_log(sys);
    router = actors::spawn_router(
        sys, actors::router_setup{
                 settings,
                 [](caf::local_actor* parent, const config::provider& p) -> actors::provider_actor {
                   return actors::spawn_mock_provider(
                       parent, std::make_shared<provider::mock_engine>(p.mock), {});
                 },
                 {},
                 {},
                 7,
                 fallbacks});
    sched.run();
  }

  /// A new run's header for `task`.
  store::run_header header(std::string task) {
    store::run_header h;
    h.id = "run-1";
    h.started_ms = 1'700'000'000'000;
    h.task = std::move(task);
    h.supervisor_role = "mayor";
    h.worker_role = "polecat";
    h.max_subtasks = 6;
    h.refine = false;
    h.coordinate = false; // the brief has tests of its own
    return h;
  }

  std::filesystem::path runs() const { return dir / "runs"; }

  /// The retrieval spawn() gives the run (null: none).
  actors::context_source context_for;
  /// The embedding model spawn() gives the run for its subtasks (empty: none).
  actors::query_embedding embed_subtasks;

  /// Spawns a run of `record` (journaled under runs(): a new journal, or the existing one
  /// reopened when `resumed`); not started.
  actors::run_actor spawn(store::run_record record, actors::run_limits limits = {},
                          bool resumed = false) {
    auto journal = resumed ? store::journal_writer::reopen(runs() / record.header.id)
                           : store::journal_writer::create(runs(), record.header);
    CAF_REQUIRE(journal);
    actors::run_setup setup;
    setup.settings = settings;
    setup.router = router;
    setup.fallbacks = fallbacks;
    setup.record = std::move(record);
    setup.journal = std::make_shared<store::journal_writer>(std::move(*journal));
    setup.limits = limits;
    setup.observers = {watcher};
    setup.verifier = verifier;
    setup.context_for = context_for;
    setup.embed_subtasks = embed_subtasks;
    return actors::spawn_run(sys, std::move(setup), false);
  }

  /// Runs until nothing is left to do, delayed messages (mock latency) included.
  void settle() {
    for (int i = 0; i < 1000; ++i) {
      sched.run();
      if (finished() || !sched.trigger_timeout())
        return;
    }
  }

  /// Starts `run` and settles; returns its reply.
  caf::expected<store::run_record> complete(const actors::run_actor& run) {
    auto rh = self->request(run, caf::infinite, actors::execute_atom::value);
    settle();
    sched.run();
    return answer_of<store::run_record>(rh);
  }

  std::vector<store::run_event>& events() {
    return deref<caf::stateful_actor<events_state, actors::run_observer::base>>(watcher)
        .state.events;
  }

  verifier_state& verifier_seen() {
    return deref<caf::stateful_actor<verifier_state, actors::verify_runner::base>>(verifier).state;
  }

  /// A run of `task` that writes files to dir/out and verifies them with "make check", its
  /// first verify failing with `output`.
  store::run_record verified_run(std::string task, std::string output) {
    verifier_seen().script.push_back(failed_verify(std::move(output)));
    store::run_record start;
    start.header = header(std::move(task));
    start.header.output_dir = (dir / "out").string();
    start.header.verify = "make check";
    return start;
  }

  bool finished() {
    return !events().empty() && std::holds_alternative<store::run_finished>(events().back());
  }

  /// Every line noted, warnings prefixed "warning: ".
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    for (const auto& e : events())
      if (auto* n = std::get_if<store::run_noted>(&e))
        out.push_back((n->warning ? "warning: " : "") + n->line);
    return out;
  }

  bool said(std::string_view part) {
    for (const auto& l : lines())
      if (l.find(part) != std::string::npos)
        return true;
    return false;
  }

  /// The record folded from the events (what a subscriber knows).
  store::run_record folded(store::run_record start = {}) {
    for (const auto& e : events())
      store::apply(start, e);
    return start;
  }
};

} // namespace et::test
