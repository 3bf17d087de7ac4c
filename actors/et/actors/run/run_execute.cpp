// The execute step of the run: fanning jobs out through the pool, folding its progress
// into the record (journaled and published as it happens) and writing each worker's files
// as soon as it finishes.

#include <algorithm>
#include <set>
#include <variant>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/run/run_state.hpp"
#include "et/plan/files.hpp"
#include "et/roles/pool.hpp"
#include "et/util/text.hpp"

namespace et::actors::run_detail {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

namespace {

roles::execution execution_of(run_state& st, std::vector<roles::job> jobs) {
  const auto& r = st.record();
  roles::execution e;
  e.task = r.header.task;
  e.brief = r.summary;
  e.jobs = std::move(jobs);
  std::set<int> running;
  for (const auto& j : e.jobs)
    running.insert(j.subtask.number);
  for (const auto& s : r.subtasks)
    if (!running.count(s.number) && s.state == store::subtask_state::done)
      e.finished.push_back(roles::worker_result{s.number, s.text, s.output, true, ""});
  e.lanes = roles::plan_lanes(*st.setup.settings, r.header.worker_role,
                              std::max<int>(1, static_cast<int>(e.jobs.size())));
  e.write_files = st.output.has_value();
  e.review = roles::review_policy{static_cast<bool>(st.witness), st.setup.limits.min_score,
                                  st.setup.limits.max_reasks};
  return e;
}

void write_files(run_pointer self, store::subtask_record& rec) {
  auto& st = self->state;
  if (!st.output)
    return;
  auto blocks = plan::parse_file_blocks(rec.output);
  if (blocks.empty())
    return;
  auto report = st.output->write(rec.number, blocks);
  auto tag = label(st, rec.number);
  for (const auto& r : report.refused)
    note(self, tag + " refused to write " + r.path + ": " + r.reason, true);
  for (const auto& c : report.conflicts)
    note(self,
         c.path + " was written by subtask " + std::to_string(c.first_owner)
             + " and then by subtask " + std::to_string(c.later_owner) + " (the later one is kept)",
         true);
  for (const auto& e : report.errors)
    note(self, tag + " could not write " + e, true);
  for (const auto& w : report.written)
    if (std::find(rec.files.begin(), rec.files.end(), w) == rec.files.end())
      rec.files.push_back(w);
  if (!report.written.empty()) {
    jot(self, st.setup.journal->files_written(rec.number, report.written));
    publish(self, store::run_subtask_changed{rec});
    note(self, tag + " wrote " + join(report.written, ", "));
  }
}

void on_finished(run_pointer self, const roles::subtask_outcome& o) {
  auto& st = self->state;
  auto* rec = find(st.record(), o.result.number);
  if (!rec)
    return;
  auto started = st.started.find(rec->number);
  rec->state = o.result.ok ? store::subtask_state::done : store::subtask_state::failed;
  rec->member = o.member.empty() ? rec->member : o.member;
  rec->provider = o.provider;
  rec->model = o.model;
  rec->output = o.result.output;
  rec->error = o.result.error;
  rec->tokens += o.tokens;
  rec->usd += o.usd;
  if (o.scored)
    rec->score = o.score;
  rec->elapsed_ms =
      started == st.started.end()
          ? 0
          : std::chrono::duration_cast<milliseconds>(clock_type::now() - started->second).count();
  if (o.cancelled)
    rec->state = store::subtask_state::pending; // never ran to the end: a resume runs it again
  const auto& role = rec->specialist.empty() ? st.record().header.worker_role : rec->specialist;
  for (const auto& f : o.fallbacks)
    took(self, store::fallback_record{rec->number, role, f, o.result.ok && f.to == rec->member});
  jot(self, st.setup.journal->subtask_finished(*rec));
  publish(self, store::run_subtask_changed{*rec});
  auto tag = label(st, rec->number);
  if (o.result.ok) {
    note(self, tag + " done by " + rec->member + ": "
                   + std::to_string(rec->tokens.completion_tokens) + " tokens in "
                   + format_elapsed(milliseconds{rec->elapsed_ms}));
    write_files(self, *rec);
  } else if (!o.cancelled) {
    note(self, tag + " FAILED: " + rec->error);
  }
}

} // namespace

void on_progress(run_pointer self, const roles::progress& p) {
  auto& st = self->state;
  auto* rec = find(st.record(), p.number);
  if (!rec)
    return;
  auto n = p.number;
  if (auto* a = std::get_if<roles::progress::assigned>(&p.event)) {
    rec->state = store::subtask_state::running;
    rec->member = a->member;
    ++rec->attempts;
    st.started.try_emplace(n, clock_type::now());
    jot(self, st.setup.journal->assigned(n, a->member, rec->attempts));
    publish(self, store::run_subtask_changed{*rec});
    note(self,
         label(st, n) + " started on " + a->member
             + (a->attempt > 1 ? " (attempt " + std::to_string(a->attempt) + ")" : ""),
         false, true);
  } else if (auto* s = std::get_if<roles::progress::streamed>(&p.event)) {
    publish(self, store::run_streamed{n, s->bytes});
  } else if (auto* f = std::get_if<roles::progress::attempt_failed>(&p.event)) {
    jot(self, st.setup.journal->attempt_failed(n, f->member, f->error));
    note(self, label(st, n) + " attempt on " + f->member + " failed: " + f->error);
  } else if (auto* r = std::get_if<roles::progress::reviewed>(&p.event)) {
    rec->score = r->score;
    jot(self, st.setup.journal->reviewed(n, r->score, r->note, st.review_rounds[n]++));
    publish(self, store::run_subtask_changed{*rec});
    note(self, label(st, n) + " reviewed: " + std::to_string(static_cast<int>(r->score)) + "/10"
                   + (r->score < st.setup.limits.min_score ? ", sent back" : ""));
  } else if (auto* o = std::get_if<roles::progress::finished>(&p.event)) {
    on_finished(self, o->outcome);
  }
}

void execute(run_pointer self, std::vector<roles::job> jobs, std::function<void()> next) {
  auto& st = self->state;
  st.now = stage::executing;
  st.pool_cancelled = false;
  begin_phase(self, st.record().verifications.empty() ? "execute" : "fix");
  auto token = ++st.token;
  // Progress sent before the reply is already in; none comes after it.
  auto once = [self, token, next] {
    if (self->state.token != token)
      return;
    ++self->state.token;
    self->state.abandon = nullptr;
    end_phase(self);
    next();
  };
  st.abandon = once; // only when the pool dies: a stop cancels it and waits for its reply
  self->request(st.pool, caf::infinite, execute_atom::value, execution_of(st, std::move(jobs)))
      .then([once](std::vector<roles::subtask_outcome>&) { once(); },
            [self, once](caf::error& e) {
              note(self, "execute failed: " + to_string(from_caf(e)), true);
              once();
            });
}

} // namespace et::actors::run_detail
