#include <CLI/CLI.hpp>
#include <ostream>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/app/commands.hpp"
#include "et/app/context_fetch.hpp"
#include "et/app/context_index.hpp"
#include "et/app/flag_checks.hpp"
#include "et/app/run_pipeline.hpp"
#include "et/app/run_records.hpp"
#include "et/app/run_single.hpp"
#include "et/app/runtime.hpp"
#include "et/config/loader.hpp"
#include "et/config/locate.hpp"
#include "et/config/paths.hpp"
#include "et/cost/summary.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

namespace fs = std::filesystem;

// Criteria go into the witness's prompt: a witness to ask, and bounds.
std::optional<std::string> accept_problem(const run_options& o,
                                          const std::map<std::string, config::role>& roles) {
  constexpr size_t max_criteria = 20;
  constexpr size_t max_bytes = 2000;
  if (o.accept.empty())
    return std::nullopt;
  if (o.accept.size() > max_criteria)
    return "at most " + std::to_string(max_criteria) + " criteria, got "
           + std::to_string(o.accept.size());
  for (const auto& c : o.accept) {
    if (trim(c).empty())
      return std::string{"a criterion is empty"};
    if (c.size() > max_bytes)
      return "a criterion is longer than " + std::to_string(max_bytes) + " bytes";
  }
  if (!roles.contains("witness"))
    return "the criteria are checked by the witness role, and the config has none";
  return std::nullopt;
}

// `--resume ID`: the run's own settings, from its journal; the config comes
// from --config when given, else the file the run was started with.
int resume_run(context& ctx, run_options o) {
  // Without --config and with no config to be found here, the run is looked for in the default
  // state dir, and its journal names the config it started with.
  auto env = config::process_env();
  std::optional<config::settings> s;
  if (ctx.config_path || config::find_config(std::nullopt, fs::current_path(), env))
    s = load_settings(ctx);
  else
    s = config::settings{};
  if (!s)
    return exit_usage;
  auto dir = config::runs_dir(*s, env);
  auto run = find_run(ctx, "et run --resume", dir, o.resume);
  if (!run)
    return ctx.exit == exit_ok ? exit_usage : ctx.exit;
  if (run->status == store::run_status::done) {
    ctx.err << "et run --resume: run " << run->header.id << " already finished; `et runs show "
            << run->header.id << "` prints it\n";
    return exit_usage;
  }
  if (ctx.config_path && !run->header.config.empty()
      && fs::absolute(*ctx.config_path).lexically_normal()
             != fs::path{run->header.config}.lexically_normal())
    ctx.err << "et run --resume: run " << run->header.id << " started with "
            << printable(run->header.config) << "; it goes on with --config "
            << printable(*ctx.config_path) << "\n";
  if (!ctx.config_path && run->header.config.empty() && s->source.empty()) {
    s = load_settings(ctx); // says no config was found, and where it looked
    if (!s)
      return exit_usage;
  }
  if (!ctx.config_path && !run->header.config.empty()) {
    ctx.config_path = run->header.config;
    // The journal, not the user, names this file: it needs trust unless it is the user's own.
    ctx.config_recorded = true;
    s = load_settings(ctx);
    if (!s)
      return exit_usage;
  }
  // The criteria go into the witness's prompt: a journal's are bounded like the command line's
  // (a journal without seal, verify or output dir is resumed on its word).
  run_options criteria;
  criteria.accept = run->header.accept;
  if (auto bad = accept_problem(criteria, s->roles)) {
    ctx.err << "et run --resume: run " << run->header.id << "'s criteria (--accept): " << *bad
            << "\n";
    return exit_usage;
  }
  return run_pipeline(ctx, std::make_shared<config::settings>(*s), std::move(o), std::move(run));
}

int run_task(context& ctx, run_options o, const std::vector<std::string>& fetch) {
  if (!o.resume.empty()) {
    if (!o.task.empty()) {
      ctx.err << "et run: give a task or --resume ID, not both\n";
      return exit_usage;
    }
    if (!o.context.empty()) {
      ctx.err << "et run: --context is for a new run; a resumed run keeps its context\n";
      return exit_usage;
    }
    if (!fetch.empty()) {
      ctx.err << "et run: --fetch is for a new run; a resumed run keeps its context\n";
      return exit_usage;
    }
    return resume_run(ctx, std::move(o));
  }
  if (o.task.empty()) {
    ctx.err << "et run: a task is required (or --resume ID)\n";
    return exit_usage;
  }
  if (o.trust_journal) {
    ctx.err << "et run: --trust-journal is for --resume ID; a new run is sealed here\n";
    return exit_usage;
  }
  auto s = load_settings(ctx);
  if (!s)
    return exit_usage;
  if (!check_role(ctx, "et run", *s, o.worker_role))
    return exit_usage;
  auto settings = std::make_shared<config::settings>(std::move(*s));
  if (auto bad = accept_problem(o, settings->roles)) {
    ctx.err << "et run: --accept: " << *bad << "\n";
    return exit_usage;
  }
  if (settings->role_or_default(o.worker_role).pool.empty() && o.output_dir.empty()
      && o.verify.empty() && o.accept.empty()) {
    if (!o.context.empty() && o.context != "off") {
      ctx.err << "et run: --context: context goes to the mayor's plan, and this run has a "
                 "single worker (no pool, --output-dir, --verify or --accept)\n";
      return exit_usage;
    }
    if (!fetch.empty()) {
      ctx.err << "et run: --fetch: context goes to the mayor's plan, and this run has a "
                 "single worker (no pool, --output-dir, --verify or --accept)\n";
      return exit_usage;
    }
    return run_single(ctx, std::move(settings), o);
  }
  if (!check_role(ctx, "et run", *settings, o.supervisor_role))
    return exit_usage;
  if (!o.verify.empty() && o.output_dir.empty()) {
    ctx.err << "et run: --verify needs --output-dir (the command runs there)\n";
    return exit_usage;
  }
  auto found =
      retrieve_for_run(ctx, *settings, o.context, o.task, o.supervisor_role, o.worker_role);
  if (!found)
    return ctx.exit;
  auto web = fetch_for_task(ctx, *settings, fetch, o.task, "run");
  if (!web)
    return ctx.exit;
  o.context_block = std::move(found->task_block);
  if (!web->empty())
    o.context_block += (o.context_block.empty() ? "" : "\n") + *web;
  o.subtask_context = std::move(found->for_subtasks);
  o.subtask_embed = std::move(found->embed_subtasks);
  o.subtask_embed_fallbacks = std::move(found->embed_fallbacks);
  o.subtask_embed_model = std::move(found->embed_model);
  return run_pipeline(ctx, std::move(settings), std::move(o), std::nullopt);
}

} // namespace

void add_run_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand(
      "run", "run a task: decompose, fan out over the worker pool, review, synthesize");
  add_config_flag(*cmd, ctx);
  auto o = std::make_shared<run_options>();
  cmd->add_option("task", o->task, "what to do");
  auto own = std::make_shared<std::vector<CLI::Option*>>(); // kept in a run's journal
  own->push_back(cmd->add_option("--role", o->supervisor_role, "the supervisor role (mayor)"));
  own->push_back(
      cmd->add_option("--worker-role", o->worker_role, "the role that does the work (polecat)"));
  own->push_back(cmd->add_flag("--no-synthesize{false}", o->synthesize,
                               "print each worker's output in order instead of a synthesis"));
  own->push_back(cmd->add_flag("--no-review{false}", o->review, "skip the witness's reviews"));
  own->push_back(cmd->add_flag("--no-refine{false}", o->refine, "skip the refinery's polish"));
  own->push_back(
      cmd->add_flag("--no-coordinate{false}", o->coordinate,
                    "no brief from the mayor for the workers of a plan with several subtasks"));
  auto* accept =
      cmd->add_option("--accept", o->accept,
                      "the witness checks the result against this criterion (repeatable); "
                      "failures go back to their subtasks")
          ->allow_extra_args(false); // one criterion per --accept: the task after it stays the task
  own->push_back(accept);
  own->push_back(
      cmd->add_option("--max-subtasks", o->max_subtasks, "at most this many subtasks (10)")
          ->transform(number_check("a whole number of subtasks, 1 to 100", 1, 100, true)));
  own->push_back(cmd->add_option("--output-dir", o->output_dir,
                                 "write the workers' files into this directory"));
  own->push_back(
      cmd->add_option("--verify", o->verify, "run this command in the output dir after writing"));
  own->push_back(cmd->add_option("--max-iterations", o->max_iterations, "verify runs at most (3)")
                     ->transform(number_check("a whole number of runs, 1 to 20", 1, 20, true)));
  // Kept in the journal too, but a resume may give them again for its own process.
  auto* verify_timeout =
      cmd->add_option("--verify-timeout", o->verify_timeout_s, "seconds per verify run (600)")
          ->transform(number_check("whole seconds, 1 to 604800 (a week)", 1, 604800, true));
  auto* sandbox =
      cmd->add_option("--sandbox", o->sandbox,
                      "run verify in a bubblewrap sandbox: on|auto|off (verify.sandbox, on)")
          ->check(CLI::IsMember({"auto", "on", "off"}));
  auto* min_score =
      cmd->add_option("--min-score", o->min_score, "results scoring below this are sent back (7)")
          ->transform(number_check("a score from 0 to 10", 0, 10, false));
  auto* max_reasks =
      cmd->add_option("--max-reasks", o->max_reasks, "re-asks per subtask after reviews (2)")
          ->transform(number_check("a whole number of re-asks, 0 to 10", 0, 10, true));
  cmd->add_option("--budget", o->budget, "stop before spending more than this many USD")
      ->transform(number_check("dollars above 0", 0, 1e12, false, true));
  cmd->add_option("--timeout", o->timeout_s, "cancel the run after this many seconds")
      ->transform(number_check("whole seconds, 0 (none) to 31536000 (a year)", 0, 31536000, true));
  cmd->add_flag("--json", o->json, "print one JSON document with the whole run");
  cmd->add_option("--resume", o->resume, "continue an interrupted or failed run");
  cmd->add_flag("--trust-journal", o->trust_journal,
                "with --resume: use the verify command and output dir of a journal this state "
                "dir did not seal (copied in, edited, or from an older et)");
  cmd->add_option("--context", o->context,
                  "project context for the mayor's plan: the index of this folder (`et index`), "
                  "or off (default: the current project's index, when it has one)");
  auto fetch = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--fetch", *fetch,
                  "a web page (http or https URL) as context for the mayor's plan (repeatable; "
                  "limits and allowed addresses in context.fetch)")
      ->allow_extra_args(false); // one URL per --fetch: the task after it stays the task
  cmd->callback([&ctx, o, fetch, own, verify_timeout, sandbox, min_score, max_reasks] {
    // A resumed run goes on as it started: a flag its journal fixes would be ignored.
    for (const auto* flag : *own)
      if (!o->resume.empty() && flag->count() > 0) {
        ctx.err << "et run --resume: " << flag->get_name()
                << " is the run's own (kept in its journal); a resumed run goes on as it "
                   "started\n";
        ctx.exit = exit_usage;
        return;
      }
    o->given = {min_score->count() > 0, max_reasks->count() > 0, verify_timeout->count() > 0,
                sandbox->count() > 0};
    ctx.exit = run_task(ctx, *o, *fetch);
  });
}

} // namespace et::app
