#include "et/actors/run/run.hpp"

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

store::subtask_record* find(store::run_record& r, int number) {
  for (auto& s : r.subtasks)
    if (s.number == number)
      return &s;
  return nullptr;
}

namespace {

// Sends a request the run may abandon on a stop: `done` gets the value, or nullopt after
// a failure or a stop (at most once).
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
            [self, what, once](caf::error& e) {
              note(self, std::string{what} + " failed: " + to_string(from_caf(e)), true);
              once(std::nullopt);
            });
}

std::string raw_results(const store::run_record& r) {
  std::string out;
  for (const auto& s : r.subtasks) {
    out += "## " + std::to_string(s.number) + ". " + s.text + "\n\n";
    out += s.state == store::subtask_state::done ? s.output : "(failed: " + s.error + ")";
    out += out.back() == '\n' ? "\n" : "\n\n";
  }
  return out;
}

void stop_actors(run_state& st) {
  for (auto h : {caf::actor_cast<caf::actor>(st.pool), caf::actor_cast<caf::actor>(st.mayor),
                 caf::actor_cast<caf::actor>(st.witness)})
    if (h)
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
}

// The last step: the spend, the finished event, the reply.
void close_run(run_pointer self, const cost::cost_report& report) {
  auto& st = self->state;
  auto& r = st.record();
  // Earlier sessions of a resumed run spent too; this one adds its own.
  r.tokens.prompt_tokens += report.prompt_tokens;
  r.tokens.completion_tokens += report.completion_tokens;
  r.usd += report.usd;
  jot(self, st.setup.journal->finished(r.status, r.tokens, r.usd));
  r.finished_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  st.now = stage::over;
  publish(self,
          store::run_finished{r, report.table, st.setup.journal->dir().string(), st.interrupted});
  if (st.reply)
    st.reply->deliver(r);
  self->quit();
}

void finish(run_pointer self) {
  auto& st = self->state;
  auto& r = st.record();
  st.now = stage::finishing;
  bool failed = r.subtasks.empty(); // never planned: nothing was done
  for (const auto& s : r.subtasks)
    failed = failed || s.state != store::subtask_state::done;
  if (!r.verifications.empty() && !r.verifications.back().passed)
    failed = true;
  if (st.timed_out)
    note(self,
         "the run timed out after " + std::to_string(st.setup.limits.timeout_s) + "s (--timeout)",
         true);
  r.status = st.interrupted           ? store::run_status::interrupted
             : failed || st.timed_out ? store::run_status::failed
                                      : store::run_status::done;
  jot(self, st.setup.journal->final_output(r.final_output));
  stop_actors(st);
  take_reported_fallbacks(self, [self] {
    auto close = [self](const cost::cost_report& report) { close_run(self, report); };
    if (!self->state.setup.ledger) {
      close({});
      return;
    }
    self->request(self->state.setup.ledger, std::chrono::seconds{5}, summary_atom::value)
        .then([close](cost::cost_report& report) { close(std::move(report)); },
              [close](caf::error&) { close({}); });
  });
}

void refine(run_pointer self) {
  auto& st = self->state;
  const auto& r = st.record();
  if (!r.header.refine || !st.setup.settings->roles.contains("refinery") || r.final_output.empty()
      || stopping(st)) {
    finish(self);
    return;
  }
  begin_phase(self, "refine");
  auto refinery = spawn_refinery(self->system(), st.setup.router, *st.setup.settings);
  ask<std::string>(
      self, "refine", refinery,
      [self, refinery](std::optional<std::string> text) {
        caf::anon_send_exit(refinery, caf::exit_reason::user_shutdown);
        end_phase(self);
        if (text && !text->empty())
          self->state.record().final_output = *text;
        finish(self);
      },
      refine_atom::value, roles::refine_request{r.final_output, "", r.header.task});
}

void decompose(run_pointer self) {
  auto& st = self->state;
  st.now = stage::planning;
  begin_phase(self, "decompose");
  ask<plan::decomposition>(
      self, "decompose", st.mayor,
      [self](std::optional<plan::decomposition> plan) {
        end_phase(self);
        auto& r = self->state.record();
        if (!plan) {
          if (!stopping(self->state))
            note(self, "the mayor could not plan the task; nothing was run", true);
          finish(self);
          return;
        }
        r.summary = plan->summary;
        r.subtasks.clear();
        for (const auto& t : plan->subtasks) {
          store::subtask_record rec;
          rec.number = t.number;
          rec.text = t.text;
          rec.depends_on = t.depends_on;
          rec.specialist = t.specialist;
          r.subtasks.push_back(std::move(rec));
        }
        jot(self, self->state.setup.journal->planned(*plan, ""));
        publish(self, store::run_planned{r.summary, r.subtasks});
        note(self, "plan: " + std::to_string(plan->subtasks.size()) + " subtasks");
        // The parser explains every repair, the cap (more proposed than kept) included.
        for (const auto& w : plan->warnings)
          note(self, "plan: " + w, true);
        after_plan(self);
      },
      decompose_atom::value, st.record().header.task,
      static_cast<uint32_t>(st.record().header.max_subtasks));
}

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
  st.mayor = spawn_mayor(self->system(), st.setup.router, s, h.supervisor_role);
  pool_setup pool{st.setup.settings, st.setup.router, {}, {}};
  if (h.review && s.roles.contains("witness"))
    st.witness = pool.witness = spawn_witness(self->system(), st.setup.router, s);
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
    case stage::combining:
      if (st.abandon)
        st.abandon(); // the reply is not waited for: the run ends with what it has
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

void after_plan(run_pointer self) {
  auto& st = self->state;
  if (stopping(st)) {
    synthesize(self);
    return;
  }
  std::vector<roles::job> jobs;
  for (const auto& s : st.record().subtasks)
    if (s.state != store::subtask_state::done)
      jobs.push_back(
          roles::job{plan::subtask{s.number, s.text, s.depends_on, s.specialist}, {}, {}});
  if (jobs.empty())
    verify(self, 1);
  else
    execute(self, std::move(jobs), [self] { verify(self, 1); });
}

void synthesize(run_pointer self) {
  auto& st = self->state;
  auto& r = st.record();
  st.now = stage::combining;
  std::vector<roles::worker_result> results;
  bool any_ok = false;
  for (const auto& s : r.subtasks) {
    bool ok = s.state == store::subtask_state::done;
    results.push_back(roles::worker_result{s.number, s.text, s.output, ok, s.error});
    any_ok = any_ok || ok;
  }
  if (!r.header.synthesize || !any_ok || stopping(st)) {
    r.final_output = raw_results(r);
    refine(self);
    return;
  }
  begin_phase(self, "synthesize");
  ask<std::string>(
      self, "synthesis", st.mayor,
      [self](std::optional<std::string> text) {
        end_phase(self);
        auto& run = self->state.record();
        // A failed synthesis loses nothing: the workers' results stand in for it.
        run.final_output = text && !text->empty() ? *text : raw_results(run);
        refine(self);
      },
      synthesize_atom::value, r.header.task, std::move(results));
}

run_actor::behavior_type run_behavior(run_pointer self, run_setup setup) {
  self->state.setup = std::move(setup);
  self->set_down_handler([self](caf::down_msg& d) {
    // A pool that died never replies: the execution ends with what the record has.
    if (d.source == self->state.pool.address() && self->state.now == stage::executing
        && self->state.abandon) {
      note(self, "the pool stopped: " + caf::to_string(d.reason), true);
      self->state.abandon();
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
