#include "et/actors/run/run.hpp"

#include <utility>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/roles/mayor.hpp"
#include "et/actors/roles/pool.hpp"
#include "et/actors/roles/refinery.hpp"
#include "et/actors/roles/witness.hpp"
#include "et/actors/run/run_state.hpp"

// The run's lifecycle: start, plan, combine, finish, and the stops (cancel, timeout) that
// can come at any stage. Each step sends one request and continues in its reply handler;
// a stop during a request the run may abandon (plan, synthesis, refinement) moves on at
// once, and the late reply finds the token changed.

namespace et::actors::run_detail {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

bool stopping(const run_state& st) {
  return st.interrupted || st.timed_out;
}

void publish(run_pointer self, store::run_event e) {
  for (const auto& o : self->state.setup.observers)
    self->send(o, run_event_atom::value, e);
}

void note(run_pointer self, const std::string& line, bool warning, bool plain_only) {
  if (warning) {
    self->state.record().warnings.push_back(line);
    jot(self, self->state.setup.journal->warning(line));
  }
  publish(self, store::run_noted{line, warning, plain_only});
}

void jot(run_pointer self, const result<void>& written) {
  // The run goes on (its results are still printed); resuming it later may redo work.
  if (!written && !self->state.journal_failed) {
    self->state.journal_failed = true;
    publish(self, store::run_noted{"warning: journal: " + written.error().message, false, false});
  }
}

void begin_phase(run_pointer self, const std::string& name) {
  self->state.phase = name;
  self->state.phase_start = clock_type::now();
  publish(self, store::run_phase_began{name});
}

void end_phase(run_pointer self) {
  auto& st = self->state;
  auto ms = std::chrono::duration_cast<milliseconds>(clock_type::now() - st.phase_start).count();
  store::phase_record p{st.phase, ms};
  st.record().phases.push_back(p);
  jot(self, st.setup.journal->phase(st.phase, ms));
  publish(self, store::run_phase_ended{p});
  take_reported_fallbacks(self, nullptr);
}

void took(run_pointer self, store::fallback_record f) {
  jot(self, self->state.setup.journal->fallback(f));
  self->state.record().fallbacks.push_back(f);
  publish(self, store::run_fell_back{std::move(f)});
}

void take_reported_fallbacks(run_pointer self, std::function<void()> then) {
  auto next = [then] {
    if (then)
      then();
  };
  const auto& log = self->state.setup.fallbacks;
  if (!log) {
    next();
    return;
  }
  // The router reports a fallback before it answers, so every call answered so far is
  // in the log. Replies come in order: a later drain's `then` runs after earlier ones.
  self->request(log, std::chrono::seconds{5}, drain_atom::value)
      .then(
          [self, next](std::vector<fallback_report>& reports) {
            for (auto& report : reports) {
              auto answered_by = report.fallbacks.empty() ? "" : report.fallbacks.back().to;
              for (auto& f : report.fallbacks) {
                bool answered = f.to == answered_by;
                took(self, store::fallback_record{0, report.role, std::move(f), answered});
              }
            }
            next();
          },
          [next](caf::error&) { next(); });
}

std::string label(const run_state& st, int number) {
  return "[" + std::to_string(number) + "/" + std::to_string(st.setup.record.subtasks.size()) + "]";
}

plan::subtask subtask_of(const store::subtask_record& s) {
  return plan::subtask{s.number, s.text, s.depends_on, s.specialist};
}

roles::job job_for(const store::subtask_record& s, std::string feedback, std::string member) {
  auto previous = feedback.empty() ? std::string{} : s.output;
  return roles::job{subtask_of(s), std::move(previous), std::move(feedback), std::move(member), {}};
}

store::subtask_record* find(store::run_record& r, int number) {
  for (auto& s : r.subtasks)
    if (s.number == number)
      return &s;
  return nullptr;
}

namespace {

void start(run_pointer self) {
  auto& st = self->state;
  const auto& s = *st.setup.settings;
  const auto& h = st.record().header;
  if (!h.output_dir.empty())
    st.output.emplace(h.output_dir);
  if (st.output)
    for (const auto& sub : st.record().subtasks)
      for (const auto& f : sub.files)
        st.output->adopt(f, sub.number); // a resumed run re-learns who wrote what
  // A subtask is journaled done when it answers; its files are written then, or after a
  // re-ask for them once the pool is done. A crash in between left it done without files:
  // the resume writes what its answer has.
  if (st.output)
    for (auto& sub : st.record().subtasks)
      if (sub.state == store::subtask_state::done && sub.files.empty() && !sub.output.empty())
        write_files(self, sub);
  st.mayor = spawn_mayor(self->system(), st.setup.router, s, h.supervisor_role);
  pool_setup pool{st.setup.settings, st.setup.router, {}, {}};
  if (h.review && s.roles.contains("witness"))
    st.witness = pool.witness = spawn_witness(self->system(), st.setup.router, s);
  if (!h.accept.empty() && s.roles.contains("witness"))
    st.judge = st.witness ? st.witness : spawn_witness(self->system(), st.setup.router, s);
  pool.observer = caf::actor_cast<progress_sink>(self);
  st.pool = spawn_pool(self->system(), pool);
  self->monitor(st.pool);
  if (st.setup.limits.timeout_s > 0)
    self->delayed_send(self, std::chrono::seconds{st.setup.limits.timeout_s}, tick_atom::value);
  if (stopping(st))
    synthesize(self); // stopped before it started: it ends with what it has
  else if (st.record().subtasks.empty())
    decompose(self);
  else
    after_plan(self); // resumed with its plan
}

void stop(run_pointer self) {
  auto& st = self->state;
  switch (st.now) {
    case stage::planning:
    case stage::retrieving:
    case stage::combining:
      // Called from a local: the call clears st.abandon, which must not destroy it mid-call.
      if (auto abandon = std::exchange(st.abandon, nullptr))
        abandon(); // the reply is not waited for: the run ends with what it has
      break;
    case stage::executing:
      // Cancelling keeps what finished: the pool's reply still comes, with the
      // unfinished subtasks marked cancelled.
      if (!st.pool_cancelled) {
        st.pool_cancelled = true;
        publish(self, store::run_noted{st.interrupted ? "interrupted: cancelling work in flight"
                                                      : "timed out: cancelling work in flight",
                                       false, false});
        self->send(st.pool, cancel_atom::value);
      }
      break;
    case stage::verifying:
      if (st.verify_cancel)
        *st.verify_cancel = true;
      break;
    default:
      break;
  }
}

} // namespace

run_actor::behavior_type run_behavior(run_pointer self, run_setup setup) {
  self->state.setup = std::move(setup);
  self->set_down_handler([self](caf::down_msg& d) {
    // A pool that died never replies: the execution ends with what the record has.
    if (d.source == self->state.pool.address() && self->state.now == stage::executing
        && self->state.abandon) {
      note(self, "the pool stopped: " + caf::to_string(d.reason), true);
      std::exchange(self->state.abandon, nullptr)(); // a local: the call clears abandon
    }
  });
  return {
      [self](execute_atom) -> caf::typed_response_promise<store::run_record> {
        auto rp = self->make_response_promise<store::run_record>();
        if (self->state.now == stage::idle) {
          self->state.reply = rp;
          start(self);
        } else {
          rp.deliver(caf::make_error(caf::sec::runtime_error, "the run was started already"));
        }
        return rp;
      },
      [self](run_event_atom, run_observer& o) { self->state.setup.observers.push_back(o); },
      [self](cancel_atom, int32_t signal) {
        if (stopping(self->state) || self->state.now == stage::over)
          return;
        self->state.interrupted = true;
        self->state.signal = signal;
        stop(self);
      },
      [self](tick_atom) {
        if (stopping(self->state) || self->state.now == stage::over)
          return;
        self->state.timed_out = true;
        stop(self);
      },
      [self](status_atom, const roles::progress& p) { on_progress(self, p); },
  };
}

} // namespace et::actors::run_detail

namespace et::actors {

run_actor spawn_run(caf::actor_system& sys, run_setup setup, bool detached) {
  if (detached)
    return sys.spawn<caf::detached>(run_detail::run_behavior, std::move(setup));
  return sys.spawn(run_detail::run_behavior, std::move(setup));
}

} // namespace et::actors
