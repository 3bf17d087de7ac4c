// The acceptance step of the run (et run --accept): the witness checks the combined result
// against each criterion; a failing criterion goes back to the subtasks it blames (every
// subtask when it names none), like a verify failure, and the result is combined and
// checked again, at most max_iterations times.

#include <algorithm>

#include "caf/all.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/run/run_state.hpp"
#include "et/plan/acceptance.hpp"

namespace et::actors::run_detail {

namespace {

std::string met_text(const store::acceptance_record& a) {
  size_t met = 0;
  for (const auto& c : a.results)
    met += c.passed;
  return std::to_string(met) + "/" + std::to_string(a.results.size()) + " criteria met";
}

// One fix job per blamed subtask, with every failure that blames it (or blames no one).
std::vector<roles::job> fixes_for(const store::run_record& r, const store::acceptance_record& a) {
  std::vector<roles::job> jobs;
  for (const auto& s : r.subtasks) {
    std::string feedback;
    for (const auto& c : a.results) {
      bool blamed = std::find(c.subtasks.begin(), c.subtasks.end(), s.number) != c.subtasks.end();
      if (!c.passed && (blamed || c.subtasks.empty()))
        feedback += "- " + c.criterion + ": " + c.why + "\n";
    }
    if (feedback.empty())
      continue;
    jobs.push_back(job_for(
        s, "The combined result was checked against the acceptance criteria and falls short:\n"
               + feedback + "Change your part so that the result meets them."));
  }
  return jobs;
}

void judged(run_pointer self, int iteration, const std::string& answer) {
  auto& st = self->state;
  auto& r = st.record();
  store::acceptance_record a{
      iteration,
      plan::parse_acceptance(answer, r.header.accept, static_cast<int>(r.subtasks.size()))};
  r.acceptance.push_back(a);
  jot(self, st.setup.journal->accepted(a));
  publish(self, store::run_accepted{a});
  note(self, "acceptance " + std::to_string(iteration) + ": " + met_text(a), !a.passed());
  for (const auto& c : a.results)
    if (!c.passed)
      note(self, "  not met: " + c.criterion + ": " + c.why, false);
  if (a.passed() || iteration >= r.header.max_iterations || stopping(st)) {
    refine(self);
    return;
  }
  auto jobs = fixes_for(r, a);
  if (jobs.empty()) {
    refine(self);
    return;
  }
  execute(
      self, std::move(jobs), [self] { synthesize(self); }, "accept-fix");
}

} // namespace

void after_synthesis(run_pointer self) {
  auto& st = self->state;
  const auto& r = st.record();
  if (r.header.accept.empty() || !st.judge || stopping(st)) {
    refine(self);
    return;
  }
  auto iteration = ++st.accept_rounds;
  std::vector<std::string> parts;
  for (const auto& s : r.subtasks)
    parts.push_back(std::to_string(s.number) + ". " + s.text);
  begin_phase(self, "accept");
  ask<std::string>(
      self, "acceptance check", st.judge,
      [self, iteration](std::optional<std::string> answer) {
        end_phase(self);
        // No answer judges nothing: every criterion counts as not met.
        judged(self, iteration, answer.value_or(""));
      },
      validate_atom::value,
      roles::validation_request{r.final_output, r.header.accept, r.header.task, std::move(parts)});
}

} // namespace et::actors::run_detail
