// The planning steps of the run: the mayor's plan and, for a plan of several subtasks, the
// mayor's brief that every worker reads before its subtask (coordination).

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/run/run_state.hpp"
#include "et/util/text.hpp"

namespace et::actors::run_detail {

namespace {

// A brief is model output that goes into every worker's prompt: bounded.
constexpr size_t max_brief_bytes = 8 * 1024;

bool needs_brief(const run_state& st) {
  const auto& r = st.setup.record;
  if (!r.header.coordinate || r.subtasks.size() < 2 || !r.brief.empty() || st.brief_asked)
    return false;
  for (const auto& s : r.subtasks)
    if (s.state != store::subtask_state::done)
      return true;
  return false; // nothing left to run: a brief would reach no one
}

plan::decomposition plan_of(const store::run_record& r) {
  plan::decomposition p;
  p.summary = r.summary;
  for (const auto& s : r.subtasks)
    p.subtasks.push_back(subtask_of(s));
  return p;
}

void coordinate(run_pointer self) {
  auto& st = self->state;
  st.brief_asked = true;
  begin_phase(self, "coordinate");
  ask<std::string>(
      self, "coordination", st.mayor,
      [self](std::optional<std::string> text) {
        end_phase(self);
        auto brief = std::string{trim(text ? *text : std::string{})};
        if (brief.size() > max_brief_bytes) {
          note(self,
               "the brief was cut to " + std::to_string(max_brief_bytes / 1024)
                   + " KiB (the mayor wrote " + std::to_string(brief.size()) + " bytes)",
               true);
          brief = clip_utf8(brief, max_brief_bytes);
        }
        if (!brief.empty()) {
          self->state.record().brief = brief;
          jot(self, self->state.setup.journal->briefed(brief));
          publish(self, store::run_briefed{brief});
        }
        after_plan(self); // without a brief the workers still have the plan's summary
      },
      coordinate_atom::value, st.record().header.task, plan_of(st.record()));
}

// The mayor plans with the project context retrieved for the task (et index), when any.
std::string task_for_mayor(const store::run_header& h) {
  return h.context.empty() ? h.task : h.task + "\n\n" + h.context;
}

} // namespace

void decompose(run_pointer self) {
  auto& st = self->state;
  st.now = stage::planning;
  begin_phase(self, "decompose");
  ask<plan::decomposition>(
      self, nullptr, st.mayor,
      [self](std::optional<plan::decomposition> plan) {
        end_phase(self);
        auto& r = self->state.record();
        if (!plan) {
          // One line with the cause: the run ends here.
          if (!stopping(self->state))
            note(self,
                 "the mayor could not plan the task, so nothing was run: "
                     + self->state.last_failure,
                 true);
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
        note(self, "plan: " + std::to_string(plan->subtasks.size())
                       + (plan->subtasks.size() == 1 ? " subtask" : " subtasks"));
        // The parser explains every repair, the cap (more proposed than kept) included.
        for (const auto& w : plan->warnings)
          note(self, "plan: " + w, true);
        after_plan(self);
      },
      decompose_atom::value, task_for_mayor(st.record().header),
      static_cast<uint32_t>(st.record().header.max_subtasks));
}

void after_plan(run_pointer self) {
  auto& st = self->state;
  if (stopping(st)) {
    synthesize(self);
    return;
  }
  if (needs_brief(st)) {
    coordinate(self);
    return;
  }
  std::vector<roles::job> jobs;
  for (auto& s : st.record().subtasks) {
    if (s.state == store::subtask_state::done)
      continue;
    // An answer that a re-ask was to improve when the process died (the re-ask's `assigned`
    // made it running again): it stands, as a re-ask that gets no answer leaves it
    // (pool_policy::fail), and verify sends it back again if it still fails.
    if (s.state == store::subtask_state::running && !s.output.empty()) {
      s.state = store::subtask_state::done;
      jot(self, st.setup.journal->subtask_finished(s));
      continue;
    }
    jobs.push_back(job_for(s));
  }
  if (jobs.empty())
    verify(self, 1);
  else
    execute(self, std::move(jobs), [self] { verify(self, 1); });
}

} // namespace et::actors::run_detail
