#include "et/store/run_events.hpp"

namespace et::store {

namespace {

struct folder {
  run_record& r;
  void operator()(const run_noted& e) const {
    if (e.warning)
      r.warnings.push_back(e.line);
  }
  void operator()(const run_phase_began&) const {}
  void operator()(const run_phase_ended& e) const { r.phases.push_back(e.phase); }
  void operator()(const run_planned& e) const {
    r.summary = e.summary;
    r.subtasks = e.subtasks;
  }
  void operator()(const run_briefed& e) const { r.brief = e.brief; }
  void operator()(const run_subtask_changed& e) const {
    for (auto& s : r.subtasks)
      if (s.number == e.subtask.number) {
        s = e.subtask;
        return;
      }
    r.subtasks.push_back(e.subtask);
  }
  void operator()(const run_streamed&) const {}
  void operator()(const run_verified& e) const { r.verifications.push_back(e.verification); }
  void operator()(const run_accepted& e) const { r.acceptance.push_back(e.acceptance); }
  void operator()(const run_fell_back& e) const { r.fallbacks.push_back(e.fallback); }
  void operator()(const run_finished& e) const { r = e.record; }
};

} // namespace

void apply(run_record& r, const run_event& e) {
  std::visit(folder{r}, e);
}

} // namespace et::store
