// The verify step of the run: the verify command runs in a detached actor (it blocks on a
// child process), its output is made shareable, failures go back to the subtasks whose
// files it names as a fix round, and after the last round the run combines its results.

#include <filesystem>
#include <set>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/run/run_state.hpp"
#include "et/config/env.hpp"
#include "et/config/paths.hpp"
#include "et/plan/locations.hpp"
#include "et/util/quote.hpp"
#include "et/util/text.hpp"
#include "et/workspace/auto_run.hpp"
#include "et/workspace/sandbox_guard.hpp"
#include "et/workspace/verify.hpp"

namespace et::actors {

namespace {

verify_runner::behavior_type verify_worker(verify_runner::pointer self) {
  return {[self](verify_atom, const workspace::command_spec& spec,
                 const std::shared_ptr<std::atomic<bool>>& cancel) {
    verify_report out;
    // Sandboxed: what runs on its own in the folder stays as it was (sandbox_guard.hpp).
    auto guarded = spec.wrapper.empty()
                       ? workspace::guarded_outcome{workspace::run_command(spec, cancel.get())}
                       : workspace::run_guarded(spec, cancel.get());
    out.removed = std::move(guarded.removed);
    out.notes = std::move(guarded.notes);
    auto& outcome = guarded.outcome;
    if (outcome) {
      out.ran = true;
      out.outcome = std::move(*outcome);
    } else {
      out.error = outcome.error().message;
    }
    self->quit(); // one command per worker: its thread ends with it
    return out;
  }};
}

} // namespace

verify_runner spawn_verify_runner(caf::actor_system& sys) {
  return sys.spawn<caf::detached>(verify_worker);
}

} // namespace et::actors

namespace et::actors::run_detail {

namespace fs = std::filesystem;

namespace {

// What a sandboxed verify command sees: the allow list (sandbox.hpp), less et's own files (the
// ledger's and the journals' prompts and answers, gateway keys, the configuration and the TLS
// keys it names) wherever that shows them, as its output could carry them to a model.
workspace::sandbox_view view_of(const run_state& st) {
  const auto& s = *st.setup.settings;
  auto env = config::process_env();
  auto home = env("HOME");
  auto path = env("PATH");
  std::vector<fs::path> hidden;
  std::vector<fs::path> own{config::state_dir(s, env), config::runs_dir(s, env), s.source,
                            s.server.tls.key};
  if (!s.defaults.log_dir.empty())
    own.emplace_back(s.defaults.log_dir);
  for (const auto& [name, node] : s.nodes)
    own.emplace_back(node.tls.key);
  for (const auto& p : own) {
    std::error_code ec;
    if (!p.empty() && fs::exists(p, ec))
      hidden.push_back(fs::absolute(p, ec));
  }
  std::vector<fs::path> extra{s.verify.read_only.begin(), s.verify.read_only.end()};
  return workspace::verify_view(home ? fs::path{*home} : fs::path{}, path ? *path : "", extra,
                                std::move(hidden));
}

workspace::command_spec verify_spec(run_pointer self) {
  auto& st = self->state;
  const auto& limits = st.setup.limits;
  workspace::command_spec spec{st.record().header.verify, st.output->root(),
                               std::chrono::seconds{limits.verify_timeout_s}, 64 * 1024};
  bool sandboxed = !limits.bwrap.empty();
  auto env = workspace::make_verify_environment(st.setup.settings->verify.env,
                                                st.setup.settings->secrets(), config::process_env(),
                                                sandboxed);
  // Said once per run; the config refuses to list such a variable, but PATH could hold one.
  if (!env.withheld.empty() && !st.withheld_noted) {
    st.withheld_noted = true;
    note(self,
         "verify: not passing " + join(env.withheld, ", ") + " (it holds a configured secret)",
         true);
  }
  spec.env = std::move(env.vars);
  // Sandboxed or not: a fork bomb, a runaway file or a core dump stops at a bound.
  const auto& bounds = st.setup.settings->verify.limits;
  constexpr uint64_t mib = 1024 * 1024;
  spec.limits = {static_cast<uint64_t>(bounds.processes),
                 static_cast<uint64_t>(bounds.file_mib) * mib,
                 static_cast<uint64_t>(bounds.memory_mib) * mib, true};
  if (sandboxed)
    spec.wrapper = workspace::sandbox_wrapper(
        limits.bwrap, fs::weakly_canonical(fs::absolute(st.output->root())), view_of(st));
  return spec;
}

std::vector<roles::job> fixes_for(run_state& st, const store::verify_record& v) {
  std::vector<roles::job> out;
  // The output is what the sandboxed command printed, written by the model's own code or
  // anything it ran: quoted, so it cannot close its block and speak as et.
  quote_marks marks{{v.output}};
  std::string feedback =
      "The verify command `" + st.record().header.verify + "` "
      + (v.timed_out ? "timed out" : "failed (exit " + std::to_string(v.exit_code) + ")")
      + " after your files were written. Its output follows. " + marks.rule() + "\n\n"
      + marks.quote(v.output) + "\nFix your files so that it passes.";
  for (int n : v.blamed)
    if (auto* s = find(st.record(), n))
      out.push_back(job_for(*s, feedback));
  return out;
}

// Failures go back to the authors of the files the output names; when it names none, to
// every subtask that wrote files.
std::vector<int> blame(const workspace::output_dir& output, const std::string& text) {
  std::vector<std::string> known;
  for (const auto& [path, owner] : output.owners())
    known.push_back(path);
  std::set<int> blamed;
  for (const auto& f : plan::files_in_output(text, known))
    blamed.insert(output.owners().at(f));
  if (blamed.empty())
    for (const auto& [path, owner] : output.owners())
      blamed.insert(owner);
  return {blamed.begin(), blamed.end()};
}

// Whether the sandbox itself did not start (bwrap says why and exits 1 before the command
// runs: a kernel without user namespaces for it, AppArmor, a mount it refused). Not the
// models' to fix, so no fix round follows.
bool sandbox_failed(const run_state& st, const verify_report& report) {
  const auto& o = report.outcome;
  return report.ran && !st.setup.limits.bwrap.empty() && o.exit_code == 1
         && o.output.rfind("bwrap: ", 0) == 0;
}

void verified(run_pointer self, int iteration, const verify_report& report) {
  auto& st = self->state;
  st.verify_cancel = nullptr;
  end_phase(self);
  store::verify_record v;
  v.iteration = iteration;
  for (const auto& r : report.removed)
    note(self,
         "verify made " + r + ", which " + workspace::runs_on_its_own(r).value_or("runs on its own")
             + "; removed it",
         true);
  for (const auto& n : report.notes)
    note(self, "verify: " + n, true);
  // Model-written code printed it: no secret goes on to the journal or a model.
  auto secrets = st.setup.settings->secrets();
  bool cannot_run = !report.ran || sandbox_failed(st, report);
  if (cannot_run) {
    auto why = report.ran ? "the verify sandbox did not start: "
                                + report.outcome.output.substr(0, report.outcome.output.find('\n'))
                          : report.error;
    v.output = workspace::shareable_output(why, false, secrets, 4096);
    v.exit_code = report.ran ? report.outcome.exit_code : -1;
    note(self, "verify: " + v.output, true);
  } else {
    const auto& o = report.outcome;
    v.passed = o.passed();
    v.exit_code = o.exit_code;
    v.timed_out = o.timed_out;
    v.output = workspace::shareable_output(o.output, o.truncated, secrets, 4096);
  }
  bool last =
      cannot_run || v.passed || iteration == st.record().header.max_iterations || stopping(st);
  if (!last)
    v.blamed = blame(*st.output, v.output);
  st.record().verifications.push_back(v);
  jot(self, st.setup.journal->verified(v));
  publish(self, store::run_verified{v});
  // A failure shows the end of its output: why it failed, without opening the journal.
  auto tail = v.passed ? std::string{} : last_lines(v.output, 6, 200, "  | ");
  note(self, std::string{"verify "} + std::to_string(iteration) + ": "
                 + (v.passed      ? "passed"
                    : v.timed_out ? "timed out"
                                  : "failed (exit " + std::to_string(v.exit_code) + ")")
                 + (tail.empty() ? "" : "\n" + tail));
  if (last || v.blamed.empty()) {
    synthesize(self);
    return;
  }
  execute(self, fixes_for(st, v), [self, iteration] { verify(self, iteration + 1); });
}

} // namespace

void verify(run_pointer self, int iteration) {
  auto& st = self->state;
  const auto& h = st.record().header;
  if (h.verify.empty() || !st.output || stopping(st) || iteration > h.max_iterations) {
    synthesize(self);
    return;
  }
  st.now = stage::verifying;
  begin_phase(self, "verify");
  auto spec = verify_spec(self);
  st.verify_cancel = std::make_shared<std::atomic<bool>>(false);
  auto runner = st.setup.verifier ? st.setup.verifier : spawn_verify_runner(self->system());
  self->request(runner, caf::infinite, verify_atom::value, std::move(spec), st.verify_cancel)
      .then([self, iteration](verify_report& r) { verified(self, iteration, r); },
            [self, iteration](caf::error& e) {
              verify_report r;
              r.error = to_string(from_caf(e));
              verified(self, iteration, r);
            });
}

} // namespace et::actors::run_detail
