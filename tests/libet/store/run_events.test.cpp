#define CAF_SUITE libet.store.run_events
#include "caf/test/unit_test.hpp"

#include "et/store/run_events.hpp"

// A subscriber's copy of a run is the fold of its events: each kind changes only its part.

using namespace et;

namespace {

store::subtask_record subtask(int number, store::subtask_state state) {
  store::subtask_record s;
  s.number = number;
  s.text = "part " + std::to_string(number);
  s.state = state;
  return s;
}

} // namespace

CAF_TEST(events fold into the record a subscriber shows) {
  store::run_record r;
  store::apply(r, store::run_planned{"two parts",
                                     {subtask(1, store::subtask_state::pending),
                                      subtask(2, store::subtask_state::pending)}});
  CAF_CHECK_EQUAL(r.summary, "two parts");
  CAF_REQUIRE_EQUAL(r.subtasks.size(), 2u);
  auto running = subtask(2, store::subtask_state::running);
  running.member = "m1";
  store::apply(r, store::run_subtask_changed{running});
  CAF_CHECK_EQUAL(r.subtasks[1].state, store::subtask_state::running);
  CAF_CHECK_EQUAL(r.subtasks[1].member, "m1");
  CAF_CHECK_EQUAL(r.subtasks[0].state, store::subtask_state::pending);
  store::apply(r, store::run_noted{"news", false, false});
  CAF_CHECK(r.warnings.empty());
  store::apply(r, store::run_noted{"a.txt was written twice", true, false});
  CAF_CHECK_EQUAL(r.warnings, (std::vector<std::string>{"a.txt was written twice"}));
  store::apply(r, store::run_streamed{2, 100});
  store::apply(r, store::run_phase_began{"verify"});
  CAF_CHECK(r.phases.empty());
  store::apply(r, store::run_phase_ended{store::phase_record{"verify", 12}});
  CAF_REQUIRE_EQUAL(r.phases.size(), 1u);
  CAF_CHECK_EQUAL(r.phases[0].elapsed_ms, 12);
  store::verify_record v;
  v.iteration = 1;
  v.blamed = {2};
  store::apply(r, store::run_verified{v});
  CAF_REQUIRE_EQUAL(r.verifications.size(), 1u);
  CAF_CHECK_EQUAL(r.verifications[0].blamed, (std::vector<int>{2}));
}

CAF_TEST(the finished event replaces the copy with the run as journaled) {
  store::run_record r;
  store::apply(r, store::run_planned{"plan", {subtask(1, store::subtask_state::pending)}});
  store::run_finished end;
  end.record.status = store::run_status::interrupted;
  end.record.final_output = "partial";
  store::apply(r, end);
  CAF_CHECK_EQUAL(r.status, store::run_status::interrupted);
  CAF_CHECK_EQUAL(r.final_output, "partial");
  CAF_CHECK(r.subtasks.empty());
}

CAF_TEST(a change to a subtask the plan lacks adds it) {
  store::run_record r;
  store::apply(r, store::run_subtask_changed{subtask(3, store::subtask_state::done)});
  CAF_REQUIRE_EQUAL(r.subtasks.size(), 1u);
  CAF_CHECK_EQUAL(r.subtasks[0].number, 3);
}
