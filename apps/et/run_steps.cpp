#include "et/run_steps.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <ostream>

#include "caf/all.hpp"
#include "et/actors/errors.hpp"
#include "et/actors/inspect.hpp"
#include "et/actors/roles/mayor.hpp"
#include "et/actors/roles/pool.hpp"
#include "et/actors/roles/refinery.hpp"
#include "et/actors/roles/witness.hpp"
#include "et/cost/cost.hpp"
#include "et/cost/summary.hpp"
#include "et/run_records.hpp"

namespace et::app {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

run_steps::run_steps(context& ctx, std::shared_ptr<config::settings> settings, run_options opts,
                     store::run_record& record, store::journal_writer& journal,
                     role_runtime& runtime, caf::scoped_actor& self)
    : ctx_(ctx), settings_(std::move(settings)), opts_(std::move(opts)), record_(record),
      journal_(journal), runtime_(runtime), self_(self),
      view_(ctx.err, run_view::live_for(STDERR_FILENO)) {
  if (!record_.header.output_dir.empty())
    output_.emplace(record_.header.output_dir);
  if (output_)
    for (const auto& s : record_.subtasks)
      for (const auto& f : s.files)
        output_->adopt(f, s.number); // a resumed run re-learns who wrote what
  deadline_ = opts_.timeout_s > 0 ? clock_type::now() + std::chrono::seconds{opts_.timeout_s}
                                  : clock_type::time_point::max();
}

// Sends a request and waits for its reply, polling Ctrl-C and the deadline. On
// a stop the reply is abandoned (the run ends; the actors go with it).
template <class T, class Handle, class... Ts>
std::optional<T> run_steps::ask(const char* what, const Handle& who, Ts&&... xs) {
  self_->send(who, std::forward<Ts>(xs)...);
  for (;;) {
    std::optional<T> out;
    bool failed = false;
    self_->receive([&](T& x) { out = std::move(x); },
                   [&](caf::error& e) {
                     note(std::string{what} + " failed: " + to_string(actors::from_caf(e)), true);
                     failed = true;
                   },
                   caf::after(milliseconds{100}) >> [] {});
    if (out || failed)
      return out;
    view_.update(record_, phase_, live_);
    if (stop_requested())
      return std::nullopt;
  }
}

bool run_steps::stop_requested() {
  if (interrupt_guard::raised())
    interrupted_ = true;
  if (clock_type::now() > deadline_)
    timed_out_ = true;
  return interrupted_ || timed_out_;
}

void run_steps::begin_phase(const std::string& name) {
  phase_ = name;
  phase_start_ = clock_type::now();
  view_.update(record_, phase_, live_, true);
}

void run_steps::end_phase() {
  auto ms = std::chrono::duration_cast<milliseconds>(clock_type::now() - phase_start_).count();
  record_.phases.push_back(store::phase_record{phase_, ms});
  jot(journal_.phase(phase_, ms));
  take_reported_fallbacks();
}

// A fallback the run took: on stderr, in the journal, in the record's counts.
void run_steps::took(store::fallback_record f, const std::string& who) {
  view_.event(fallback_event(f, who));
  jot(journal_.fallback(f));
  record_.fallbacks.push_back(std::move(f));
}

// The fallbacks of the mayor's, witness's and refinery's calls, as the router reported them.
void run_steps::take_reported_fallbacks() {
  for (auto& report : drain_fallbacks(self_, runtime_)) {
    auto answered_by = report.fallbacks.empty() ? std::string{} : report.fallbacks.back().to;
    for (auto& f : report.fallbacks) {
      bool answered = f.to == answered_by;
      took(store::fallback_record{0, report.role, std::move(f), answered}, "[" + report.role + "]");
    }
  }
}

void run_steps::note(const std::string& line, bool warn) {
  view_.event(warn ? "warning: " + line : line);
  if (warn) {
    record_.warnings.push_back(line);
    jot(journal_.warning(line));
  }
}

void run_steps::jot(const result<void>& written) {
  // The run goes on (its results are still printed); resuming it later may redo work.
  if (!written && !journal_failed_) {
    journal_failed_ = true;
    view_.event("warning: journal: " + written.error().message);
  }
}

std::string run_steps::label(int number) const {
  return "[" + std::to_string(number) + "/" + std::to_string(record_.subtasks.size()) + "]";
}

std::string run_steps::raw_results() const {
  std::string out;
  for (const auto& s : record_.subtasks) {
    out += "## " + std::to_string(s.number) + ". " + s.text + "\n\n";
    out += s.state == "done" ? s.output : "(failed: " + s.error + ")";
    out += out.back() == '\n' ? "\n" : "\n\n";
  }
  return out;
}

bool run_steps::decompose() {
  if (!record_.subtasks.empty())
    return true; // resumed with its plan
  begin_phase("decompose");
  auto plan = ask<plan::decomposition>("decompose", mayor_, actors::decompose_atom::value,
                                       record_.header.task,
                                       static_cast<uint32_t>(record_.header.max_subtasks));
  end_phase();
  if (!plan)
    return false;
  record_.summary = plan->summary;
  record_.subtasks.clear();
  for (const auto& t : plan->subtasks) {
    store::subtask_record rec;
    rec.number = t.number;
    rec.text = t.text;
    rec.depends_on = t.depends_on;
    rec.specialist = t.specialist;
    record_.subtasks.push_back(std::move(rec));
  }
  jot(journal_.planned(*plan, ""));
  note("plan: " + std::to_string(plan->subtasks.size()) + " subtasks");
  // The parser explains every repair, the cap (more proposed than kept) included.
  for (const auto& w : plan->warnings)
    note("plan: " + w, true);
  return true;
}

void run_steps::synthesize() {
  std::vector<roles::worker_result> results;
  bool any_ok = false;
  for (const auto& s : record_.subtasks) {
    results.push_back(roles::worker_result{s.number, s.text, s.output, s.state == "done", s.error});
    any_ok = any_ok || s.state == "done";
  }
  if (!record_.header.synthesize || !any_ok || stop_requested()) {
    record_.final_output = raw_results();
    return;
  }
  begin_phase("synthesize");
  auto text = ask<std::string>("synthesis", mayor_, actors::synthesize_atom::value,
                               record_.header.task, std::move(results));
  end_phase();
  // A failed synthesis loses nothing: the workers' results stand in for it.
  record_.final_output = text && !text->empty() ? *text : raw_results();
}

void run_steps::refine() {
  if (!record_.header.refine || !settings_->roles.contains("refinery")
      || record_.final_output.empty() || stop_requested())
    return;
  begin_phase("refine");
  auto refinery = actors::spawn_refinery(runtime_.system(), runtime_.router(), *settings_);
  auto text =
      ask<std::string>("refine", refinery, actors::refine_atom::value,
                       roles::refine_request{record_.final_output, "", record_.header.task});
  caf::anon_send_exit(refinery, caf::exit_reason::user_shutdown);
  end_phase();
  if (text && !text->empty())
    record_.final_output = *text;
}

int run_steps::finish() {
  view_.close();
  bool failed = false;
  for (const auto& s : record_.subtasks)
    failed = failed || s.state != "done";
  if (!record_.verifications.empty() && !record_.verifications.back().passed)
    failed = true;
  if (timed_out_)
    note("the run timed out after " + std::to_string(opts_.timeout_s) + "s (--timeout)", true);
  record_.status = interrupted_ ? "interrupted" : failed || timed_out_ ? "failed" : "done";
  jot(journal_.final_output(record_.final_output));
  cost::cost_report report;
  self_->request(runtime_.ledger(), std::chrono::seconds{5}, actors::summary_atom::value)
      .receive([&](cost::cost_report& r) { report = std::move(r); }, [](caf::error&) {});
  // Earlier sessions of a resumed run spent too; this one adds its own.
  record_.tokens.prompt_tokens += report.prompt_tokens;
  record_.tokens.completion_tokens += report.completion_tokens;
  record_.usd += report.usd;
  jot(journal_.finished(record_.status, record_.tokens, record_.usd));
  record_.finished_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  if (opts_.json)
    ctx_.out << boost::json::serialize(run_to_json(record_)) << "\n";
  else
    ctx_.out << record_.final_output << (record_.final_output.ends_with('\n') ? "" : "\n");
  ctx_.err << summary_text(record_, report.table) << "run " << record_.header.id << ": "
           << record_.status << "; journal in " << journal_.dir().string() << "\n";
  // 130 after Ctrl-C; 143 after SIGTERM, 129 after SIGHUP, as a shell reports those.
  if (interrupted_)
    return 128 + interrupt_guard::signal_number();
  return record_.status == "done" ? exit_ok : exit_failed;
}

int run_steps::run_all() {
  interrupt_guard guard{true};
  mayor_ = actors::spawn_mayor(runtime_.system(), runtime_.router(), *settings_,
                               record_.header.supervisor_role);
  actors::pool_setup setup{settings_, runtime_.router(), {}, {}};
  if (record_.header.review && settings_->roles.contains("witness")) {
    setup.witness = actors::spawn_witness(runtime_.system(), runtime_.router(), *settings_);
    pool_has_witness_ = true;
  }
  setup.observer = caf::actor_cast<actors::progress_sink>(self_);
  pool_ = actors::spawn_pool(runtime_.system(), setup);
  self_->monitor(pool_);
  if (decompose() && !stop_requested()) {
    std::vector<roles::job> jobs;
    for (const auto& s : record_.subtasks)
      if (s.state != "done")
        jobs.push_back(
            roles::job{plan::subtask{s.number, s.text, s.depends_on, s.specialist}, {}, {}});
    if (!jobs.empty())
      execute(std::move(jobs));
    verify_loop();
    synthesize();
    refine();
  } else if (record_.subtasks.empty() && !stop_requested()) {
    note("the mayor could not plan the task; nothing was run", true);
  }
  for (auto h : {caf::actor_cast<caf::actor>(pool_), caf::actor_cast<caf::actor>(mayor_),
                 caf::actor_cast<caf::actor>(setup.witness)})
    if (h)
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
  return finish();
}

} // namespace et::app
