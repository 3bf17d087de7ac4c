// The execute and verify steps of `et run`: fanning jobs out through the pool,
// journaling and drawing its progress, writing each worker's files as soon as
// it finishes, and the verify loop that sends failures back to their authors.

#include <filesystem>
#include <future>
#include <set>
#include <variant>

#include "caf/all.hpp"
#include "et/actors/errors.hpp"
#include "et/actors/inspect.hpp"
#include "et/config/env.hpp"
#include "et/plan/files.hpp"
#include "et/plan/locations.hpp"
#include "et/roles/pool.hpp"
#include "et/run_steps.hpp"
#include "et/util/text.hpp"
#include "et/workspace/command.hpp"
#include "et/workspace/verify.hpp"

namespace et::app {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

namespace {

store::subtask_record* find(store::run_record& r, int number) {
  for (auto& s : r.subtasks)
    if (s.number == number)
      return &s;
  return nullptr;
}

} // namespace

roles::execution run_steps::execution_of(std::vector<roles::job> jobs) const {
  roles::execution e;
  e.task = record_.header.task;
  e.brief = record_.summary;
  e.jobs = std::move(jobs);
  std::set<int> running;
  for (const auto& j : e.jobs)
    running.insert(j.subtask.number);
  for (const auto& s : record_.subtasks)
    if (!running.count(s.number) && s.state == "done")
      e.finished.push_back(roles::worker_result{s.number, s.text, s.output, true, ""});
  e.lanes = roles::plan_lanes(*settings_, record_.header.worker_role,
                              std::max<int>(1, static_cast<int>(e.jobs.size())));
  e.write_files = output_.has_value();
  e.review = roles::review_policy{pool_has_witness_, opts_.min_score, opts_.max_reasks};
  return e;
}

void run_steps::execute(std::vector<roles::job> jobs) {
  begin_phase(record_.verifications.empty() ? "execute" : "fix");
  self_->send(pool_, actors::execute_atom::value, execution_of(std::move(jobs)));
  bool cancelling = false;
  for (bool done = false; !done;) {
    self_->receive([&](actors::status_atom, const roles::progress& p) { on_progress(p); },
                   [&](std::vector<roles::subtask_outcome>&) { done = true; },
                   [&](caf::error& e) {
                     note("execute failed: " + to_string(actors::from_caf(e)), true);
                     done = true;
                   },
                   [&](caf::down_msg& d) {
                     // Monitored since run_all: a pool that died never replies.
                     note("the pool stopped: " + caf::to_string(d.reason), true);
                     done = true;
                   },
                   caf::after(milliseconds{100}) >> [] {});
    view_.update(record_, phase_, live_);
    // Cancelling keeps what finished: the pool's reply still comes, with the
    // unfinished subtasks marked cancelled.
    if (!cancelling && !done && stop_requested()) {
      cancelling = true;
      view_.event(interrupted_ ? "interrupted: cancelling work in flight"
                               : "timed out: cancelling work in flight");
      self_->send(pool_, actors::cancel_atom::value);
    }
  }
  // Progress sent before the reply is already in; none comes after it.
  end_phase();
}

void run_steps::on_progress(const roles::progress& p) {
  auto* rec = find(record_, p.number);
  if (!rec)
    return;
  auto n = p.number;
  if (auto* a = std::get_if<roles::progress::assigned>(&p.event)) {
    rec->state = "running";
    rec->member = a->member;
    ++rec->attempts;
    if (!live_.count(n))
      live_[n].started = clock_type::now();
    live_[n].streamed_bytes = 0;
    jot(journal_.assigned(n, a->member, rec->attempts));
    if (!view_is_live())
      view_.event(label(n) + " started on " + a->member
                  + (a->attempt > 1 ? " (attempt " + std::to_string(a->attempt) + ")" : ""));
  } else if (auto* s = std::get_if<roles::progress::streamed>(&p.event)) {
    live_[n].streamed_bytes += s->bytes;
  } else if (auto* f = std::get_if<roles::progress::attempt_failed>(&p.event)) {
    jot(journal_.attempt_failed(n, f->member, f->error));
    view_.event(label(n) + " attempt on " + f->member + " failed: " + f->error);
  } else if (auto* r = std::get_if<roles::progress::reviewed>(&p.event)) {
    rec->score = r->score;
    jot(journal_.reviewed(n, r->score, r->note, review_rounds_[n]++));
    view_.event(label(n) + " reviewed: " + std::to_string(static_cast<int>(r->score)) + "/10"
                + (r->score < opts_.min_score ? ", sent back" : ""));
  } else if (auto* o = std::get_if<roles::progress::finished>(&p.event)) {
    on_finished(o->outcome);
  }
}

void run_steps::on_finished(const roles::subtask_outcome& o) {
  auto* rec = find(record_, o.result.number);
  auto& live = live_[o.result.number];
  rec->state = o.result.ok ? "done" : "failed";
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
      live.started.time_since_epoch().count() == 0
          ? 0
          : std::chrono::duration_cast<milliseconds>(clock_type::now() - live.started).count();
  if (o.cancelled)
    rec->state = "pending"; // never ran to the end: a resume runs it again
  for (const auto& f : o.fallbacks)
    took(store::fallback_record{rec->number,
                                rec->specialist.empty() ? record_.header.worker_role
                                                        : rec->specialist,
                                f, o.result.ok && f.to == rec->member},
         label(rec->number));
  jot(journal_.subtask_finished(*rec));
  if (o.result.ok) {
    view_.event(label(rec->number) + " done by " + rec->member + ": "
                + std::to_string(rec->tokens.completion_tokens) + " tokens in "
                + format_elapsed(milliseconds{rec->elapsed_ms}));
    write_files(*rec);
  } else if (!o.cancelled) {
    view_.event(label(rec->number) + " FAILED: " + rec->error);
  }
}

void run_steps::write_files(store::subtask_record& rec) {
  if (!output_)
    return;
  auto blocks = plan::parse_file_blocks(rec.output);
  if (blocks.empty())
    return;
  auto report = output_->write(rec.number, blocks);
  for (const auto& r : report.refused)
    note(label(rec.number) + " refused to write " + r.path + ": " + r.reason, true);
  for (const auto& c : report.conflicts)
    note(c.path + " was written by subtask " + std::to_string(c.first_owner)
             + " and then by subtask " + std::to_string(c.later_owner) + " (the later one is kept)",
         true);
  for (const auto& e : report.errors)
    note(label(rec.number) + " could not write " + e, true);
  for (const auto& w : report.written)
    if (std::find(rec.files.begin(), rec.files.end(), w) == rec.files.end())
      rec.files.push_back(w);
  if (!report.written.empty()) {
    jot(journal_.files_written(rec.number, report.written));
    view_.event(label(rec.number) + " wrote " + join(report.written, ", "));
  }
}

std::vector<roles::job> run_steps::fixes_for(const store::verify_record& v) {
  std::vector<roles::job> out;
  std::string feedback =
      "The verify command `" + record_.header.verify + "` "
      + (v.timed_out ? "timed out" : "failed (exit " + std::to_string(v.exit_code) + ")")
      + " after your files were written. Its output:\n\n```\n" + v.output
      + "\n```\nFix your files so that it passes.";
  for (int n : v.blamed)
    if (auto* s = find(record_, n))
      out.push_back(roles::job{plan::subtask{s->number, s->text, s->depends_on, s->specialist},
                               s->output, feedback});
  return out;
}

workspace::command_spec run_steps::verify_spec() {
  workspace::command_spec spec{record_.header.verify, output_->root(),
                               std::chrono::seconds{opts_.verify_timeout_s}, 64 * 1024};
  bool sandboxed = !opts_.bwrap.empty();
  auto env = workspace::make_verify_environment(settings_->verify.env, settings_->secrets(),
                                                config::process_env(), sandboxed);
  // Said once per run; the config refuses to list such a variable, but PATH could hold one.
  if (!env.withheld.empty() && !withheld_noted_) {
    withheld_noted_ = true;
    note("verify: not passing " + join(env.withheld, ", ") + " (it holds a configured secret)",
         true);
  }
  spec.env = std::move(env.vars);
  if (sandboxed)
    spec.wrapper = workspace::sandbox_wrapper(opts_.bwrap,
                                              fs::weakly_canonical(fs::absolute(output_->root())));
  return spec;
}

void run_steps::verify_loop() {
  if (record_.header.verify.empty() || !output_ || stop_requested())
    return;
  for (int iteration = 1; iteration <= record_.header.max_iterations; ++iteration) {
    begin_phase("verify");
    workspace::command_spec spec = verify_spec();
    std::atomic<bool> cancel{false};
    auto running =
        std::async(std::launch::async, [&] { return workspace::run_command(spec, &cancel); });
    while (running.wait_for(milliseconds{100}) != std::future_status::ready) {
      view_.update(record_, phase_, live_);
      if (stop_requested())
        cancel = true;
    }
    auto outcome = running.get();
    end_phase();
    store::verify_record v;
    v.iteration = iteration;
    // Model-written code printed it: no secret goes on to the journal or a model.
    auto secrets = settings_->secrets();
    if (!outcome) {
      v.output = workspace::shareable_output(outcome.error().message, false, secrets, 4096);
      note("verify: " + v.output, true);
    } else {
      v.passed = outcome->passed();
      v.exit_code = outcome->exit_code;
      v.timed_out = outcome->timed_out;
      v.output = workspace::shareable_output(outcome->output, outcome->truncated, secrets, 4096);
    }
    bool last = v.passed || iteration == record_.header.max_iterations || stop_requested();
    if (!last) {
      // Failures go back to the authors of the files the output names; when it
      // names none, to every subtask that wrote files.
      std::vector<std::string> known;
      for (const auto& [path, owner] : output_->owners())
        known.push_back(path);
      std::set<int> blamed;
      for (const auto& f : plan::files_in_output(v.output, known))
        blamed.insert(output_->owners().at(f));
      if (blamed.empty())
        for (const auto& [path, owner] : output_->owners())
          blamed.insert(owner);
      v.blamed.assign(blamed.begin(), blamed.end());
    }
    record_.verifications.push_back(v);
    jot(journal_.verified(v));
    view_.event(std::string{"verify "} + std::to_string(iteration) + ": "
                + (v.passed      ? "passed"
                   : v.timed_out ? "timed out"
                                 : "failed (exit " + std::to_string(v.exit_code) + ")"));
    if (last || v.blamed.empty())
      return;
    execute(fixes_for(v));
  }
}

} // namespace et::app
