#include "et/run_pipeline.hpp"

#include <filesystem>
#include <ostream>

#include "caf/scoped_actor.hpp"
#include "et/config/paths.hpp"
#include "et/run_steps.hpp"
#include "et/runtime.hpp"
#include "et/util/private_files.hpp"

namespace et::app {

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

store::run_header header_of(const run_options& o, const config::settings& s) {
  store::run_header h;
  h.started_ms = now_ms();
  h.task = o.task;
  h.config = s.source.empty() ? "" : fs::absolute(s.source).string();
  h.supervisor_role = o.supervisor_role;
  h.worker_role = o.worker_role;
  h.max_subtasks = o.max_subtasks;
  h.output_dir = o.output_dir.empty() ? "" : fs::absolute(o.output_dir).lexically_normal().string();
  h.verify = o.verify;
  h.max_iterations = o.max_iterations;
  h.synthesize = o.synthesize;
  h.review = o.review;
  h.refine = o.refine;
  return h;
}

// The journal, or a clear failure: a run that cannot be journaled could not
// be resumed, so it does not start.
std::optional<store::journal_writer> open_journal(context& ctx, const config::settings& s,
                                                  store::run_record& record, bool resumed) {
  auto dir = config::runs_dir(s, config::process_env());
  auto j = resumed ? store::journal_writer::reopen(dir / record.header.id)
                   : store::journal_writer::create_new(dir, record.header, store::new_run_id);
  if (!j) {
    ctx.err << "et run: " << j.error().message << "\n";
    return std::nullopt;
  }
  record.header.id = j->id(); // the id may have been taken: create_new picked another
  if (resumed && !record.header.output_dir.empty())
    remove_stale_temps(record.header.output_dir, true); // left by a crash mid-write
  return std::move(*j);
}

} // namespace

int run_pipeline(context& ctx, std::shared_ptr<config::settings> s, run_options o,
                 std::optional<store::run_record> resumed) {
  if (o.budget)
    s->budgets.per_run = *o.budget;
  store::run_record record;
  if (resumed) {
    record = std::move(*resumed);
    ++record.resumes;
    record.status = "running";
  } else {
    record.header = header_of(o, *s);
  }
  auto journal = open_journal(ctx, *s, record, resumed.has_value());
  if (!journal)
    return exit_failed;
  auto runtime = role_runtime::start(ctx, "et run", s, record.header.id);
  if (!runtime)
    return exit_usage;
  int code;
  {
    caf::scoped_actor self{runtime->system()};
    run_steps steps{ctx, s, o, record, *journal, *runtime, self};
    code = steps.run_all();
  }
  return code;
}

} // namespace et::app
