// The end of the run: synthesis, refinement, the final status, the spend and the reply.

#include <algorithm>

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"

#include "et/actors/roles/refinery.hpp"
#include "et/actors/run/run_state.hpp"

namespace et::actors::run_detail {

using std::chrono::milliseconds;

namespace {

std::string raw_results(const store::run_record& r) {
  std::string out;
  for (const auto& s : r.subtasks) {
    out += "## " + std::to_string(s.number) + ". " + s.text + "\n\n";
    // A pending subtask was stopped before it ended (a resume runs it) or never started.
    out += s.state == store::subtask_state::done      ? s.output
           : s.state != store::subtask_state::pending ? "(failed: " + s.error + ")"
           : s.attempts > 0                           ? "(stopped before it finished)"
                                                      : "(not run)";
    out += out.back() == '\n' ? "\n" : "\n\n";
  }
  return out;
}

void stop_actors(run_state& st) {
  for (auto h : {caf::actor_cast<caf::actor>(st.pool), caf::actor_cast<caf::actor>(st.mayor),
                 caf::actor_cast<caf::actor>(st.witness), caf::actor_cast<caf::actor>(st.judge)})
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
  // A run an older et finished once did not count them: the whole run's stays unknown.
  bool counted_before = r.finished_ms == 0 || r.unpriced;
  r.unpriced = counted_before
                   ? std::optional<int64_t>{r.unpriced.value_or(0)
                                            + static_cast<int64_t>(report.unpriced_requests)}
                   : std::nullopt;
  jot(self, st.setup.journal->finished(r.status, r.tokens, r.usd, r.unpriced));
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

} // namespace

void finish(run_pointer self) {
  auto& st = self->state;
  auto& r = st.record();
  st.now = stage::finishing;
  bool failed = r.subtasks.empty(); // never planned: nothing was done
  for (const auto& s : r.subtasks)
    failed = failed || s.state != store::subtask_state::done;
  if (!r.verifications.empty() && !r.verifications.back().passed)
    failed = true;
  if (!r.acceptance.empty() && !r.acceptance.back().passed())
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
  // With no subtask done there is nothing to polish, only errors: a refinery would be paid to
  // write a plausible answer out of them (the exit code says failed; a pipe would not).
  bool any_done = std::any_of(r.subtasks.begin(), r.subtasks.end(),
                              [](const auto& s) { return s.state == store::subtask_state::done; });
  if (!r.header.refine || !st.setup.settings->roles.contains("refinery") || r.final_output.empty()
      || !any_done || stopping(st)) {
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
    after_synthesis(self);
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
        after_synthesis(self);
      },
      synthesize_atom::value, r.header.task, std::move(results));
}

} // namespace et::actors::run_detail
