#include "et/app/run_pipeline.hpp"

#include <filesystem>
#include <ostream>

#include "caf/scoped_actor.hpp"
#include "et/actors/run/run.hpp"
#include "et/app/runtime.hpp"
#include "et/config/paths.hpp"
#include "et/store/run_lock.hpp"
#include "et/store/run_seal.hpp"
#include "et/util/private_files.hpp"
#include "et/util/text.hpp"
#include "et/workspace/verify.hpp"

namespace et::app {

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

store::run_header header_of(const run_options& o, const std::string& config_source) {
  store::run_header h;
  h.started_ms = now_ms();
  h.task = o.task;
  h.config = config_source.empty() ? "" : fs::absolute(config_source).string();
  h.supervisor_role = o.supervisor_role;
  h.worker_role = o.worker_role;
  h.max_subtasks = o.max_subtasks;
  h.output_dir = o.output_dir.empty() ? "" : fs::absolute(o.output_dir).lexically_normal().string();
  h.verify = o.verify;
  h.max_iterations = o.max_iterations;
  h.synthesize = o.synthesize;
  h.review = o.review;
  h.refine = o.refine;
  h.coordinate = o.coordinate;
  h.accept = o.accept;
  h.min_score = o.min_score;
  h.max_reasks = o.max_reasks;
  h.verify_timeout_s = o.verify_timeout_s;
  h.sandbox = o.sandbox;
  h.context = o.context_block;
  return h;
}

// A resume goes on as its run started, but for the flags given again (for this process).
void take_journal_settings(run_options& o, const store::run_header& h) {
  if (!o.given.min_score)
    o.min_score = h.min_score;
  if (!o.given.max_reasks)
    o.max_reasks = h.max_reasks;
  if (!o.given.verify_timeout)
    o.verify_timeout_s = h.verify_timeout_s;
  if (!o.given.sandbox)
    o.sandbox = h.sandbox;
}

// The journal, or a clear failure: a run that cannot be journaled could not
// be resumed, so it does not start. A new run takes its lock (into `lock`) before its journal
// is written: a run killed in between must not stay "running" for ever.
std::optional<store::journal_writer> open_journal(context& ctx, const fs::path& runs,
                                                  store::run_record& record,
                                                  std::optional<store::run_lock>& lock,
                                                  bool resumed) {
  auto take_lock = [&lock](const fs::path& dir) -> result<void> {
    auto taken = store::run_lock::acquire(dir);
    if (!taken)
      return taken.error();
    lock = std::move(*taken);
    return {};
  };
  auto j = resumed ? store::journal_writer::reopen(runs / record.header.id)
                   : store::journal_writer::create_new(runs, record.header, store::new_run_id,
                                                       take_lock);
  if (!j) {
    ctx.err << "et run: " << j.error().message << "\n";
    return std::nullopt;
  }
  record.header.id = j->id(); // the id may have been taken: create_new picked another
  if (resumed && !record.header.output_dir.empty())
    remove_stale_temps(record.header.output_dir, true); // left by a crash mid-write
  return std::move(*j);
}

// Seals a new run's header, or checks a resumed one's: a journal this state dir did not seal
// (copied in, edited, or older than seals) has its verify command run and its output dir
// written only with --trust-journal. False (after one line) when it may not go on.
bool seal_checked(context& ctx, const config::settings& s, store::run_header& h, bool resumed,
                  bool trusted) {
  auto key = store::run_seal_key(config::state_dir(s, config::process_env()));
  if (!key) {
    ctx.err << "et run: " << key.error().message << "\n";
    return false;
  }
  if (!resumed) {
    h.seal = store::seal_of(h, *key);
    return true;
  }
  if (trusted || (h.verify.empty() && h.output_dir.empty()) || store::sealed_by(h, *key))
    return true;
  ctx.err << "et run --resume: run " << h.id
          << "'s journal does not carry this state dir's seal (copied in, edited, or from an et "
             "before seals): its "
          << (h.verify.empty() ? "" : "verify command `" + printable(h.verify, 200) + "`")
          << (!h.verify.empty() && !h.output_dir.empty() ? " and " : "")
          << (h.output_dir.empty() ? "" : "output dir " + printable(h.output_dir, 200))
          << " are used only with --trust-journal\n";
  return false;
}

// Whether verify runs sandboxed: sets `o.bwrap` when it does. False (after one line) when
// it may not run: the sandbox is asked for (the default) and cannot run here.
bool choose_sandbox(context& ctx, const config::verify& section, run_options& o,
                    const std::string& verify) {
  if (verify.empty())
    return true;
  auto mode = section.sandbox;
  if (o.sandbox == "on")
    mode = config::sandbox_mode::on;
  else if (o.sandbox == "off")
    mode = config::sandbox_mode::off;
  else if (o.sandbox == "auto")
    mode = config::sandbox_mode::automatic;
  auto choice = workspace::choose_sandbox(mode, mode == config::sandbox_mode::off
                                                    ? workspace::sandbox_probe{}
                                                    : workspace::probe_sandbox());
  if (!choice.refusal.empty()) {
    ctx.err << "et run: " << choice.refusal << "\n";
    return false;
  }
  if (!choice.note.empty())
    ctx.err << "et run: " << choice.note << "\n";
  o.bwrap = choice.bwrap;
  return true;
}

// One process per run: the lock is held until the run returns. A resumed run
// (a new one takes its lock in open_journal) is read again under the lock, since another process
// may have moved it on between the first read and the lock; its header must be the one checked
// (seal, sandbox, output dir) at the first read, or a journal swapped in between would run a verify
// command and write an output dir nobody checked.
std::optional<store::run_lock> lock_resumed(context& ctx, const fs::path& runs,
                                            store::run_record& record) {
  auto dir = runs / record.header.id;
  auto lock = store::run_lock::acquire(dir);
  if (!lock) {
    ctx.err << "et run: " << lock.error().message << "\n";
    return std::nullopt;
  }
  auto fresh = store::read_run(dir);
  if (!fresh) {
    ctx.err << "et run --resume: " << fresh.error().message << "\n";
    return std::nullopt;
  }
  if (fresh->status == store::run_status::done) {
    ctx.err << "et run --resume: run " << record.header.id << " already finished\n";
    return std::nullopt;
  }
  if (fresh->header != record.header) {
    ctx.err << "et run --resume: run " << record.header.id
            << "'s journal changed while et read it; resume it again\n";
    return std::nullopt;
  }
  record = std::move(*fresh);
  ++record.resumes;
  record.status = store::run_status::running;
  ctx.err << "resuming run " << record.header.id << ": " << record.header.task << "\n";
  return std::move(*lock);
}

} // namespace

int run_pipeline(context& ctx, std::shared_ptr<config::settings> s, run_options o,
                 std::optional<store::run_record> resumed) {
  if (o.budget)
    s->budgets.per_run = *o.budget;
  store::run_record record;
  if (resumed) {
    record = std::move(*resumed);
    take_journal_settings(o, record.header);
    ++record.resumes;
    record.status = store::run_status::running;
  } else {
    record.header = header_of(o, s->source);
  }
  // Before the journal: a run that may not verify, or may not trust its journal, does not start.
  if (!seal_checked(ctx, *s, record.header, resumed.has_value(), o.trust_journal))
    return exit_usage;
  if (!choose_sandbox(ctx, s->verify, o, record.header.verify))
    return exit_usage;
  std::error_code ec;
  if (const auto& out = record.header.output_dir;
      !out.empty() && fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    ctx.err << "et run: --output-dir " << printable(out) << ": it exists and is not a folder\n";
    return exit_usage;
  }
  if (const auto& out = record.header.output_dir; !out.empty())
    if (auto why = config::refused_output_dir(
            out, *s, config::process_env(),
            ctx.config_path && !ctx.config_recorded ? fs::path{*ctx.config_path} : fs::path{});
        !why.empty()) {
      ctx.err << "et run: --output-dir " << printable(out) << ": " << printable(why, 512)
              << "; a model's files must not reach et's own or your home's\n";
      return exit_usage;
    }
  auto runs = config::runs_dir(*s, config::process_env());
  std::optional<store::run_lock> lock;
  if (resumed) { // before the journal gets its `resumed` event
    lock = lock_resumed(ctx, runs, record);
    if (!lock)
      return exit_usage;
  }
  auto journal = open_journal(ctx, runs, record, lock, resumed.has_value());
  if (!journal)
    return exit_failed;
  auto runtime = role_runtime::start(
      ctx, "et run", s, {record.header.id, record.header.started_ms, resumed.has_value(), true});
  if (!runtime)
    return exit_usage;
  actors::run_setup setup;
  setup.settings = s;
  setup.router = runtime->router();
  setup.ledger = runtime->ledger();
  setup.fallbacks = runtime->fallbacks();
  setup.record = std::move(record);
  setup.journal = std::make_shared<store::journal_writer>(std::move(*journal));
  setup.limits =
      actors::run_limits{o.min_score, o.max_reasks, o.verify_timeout_s, o.bwrap, o.timeout_s};
  setup.context_for = o.subtask_context;
  setup.embed_subtasks = {o.subtask_embed, o.subtask_embed_fallbacks, o.subtask_embed_model};
  return watch_run(ctx, o, runtime->system(), std::move(setup));
}

} // namespace et::app
