#define CAF_SUITE actors.pool
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/roles/pool.hpp"
#include "et/actors/roles/witness.hpp"

using namespace et;
using namespace et::actors;
using namespace et::test;

namespace {

// A router the test answers by hand: every request waits until the test
// answers or fails it, so the order of completions is the test's choice.
struct pending {
  role_request req;
  caf::typed_response_promise<routed_response> rp;
};

struct fake_router_state {
  std::vector<pending> open;          // unanswered, oldest first
  std::vector<role_request> received; // every request, in arrival order
  static inline const char* name = "fake_router";
};

// The fake router also takes the test's verdicts: answer (done) or fail the
// oldest open request for a target (and role, "" = any). Promises are
// delivered in the actor's own context, as CAF requires.
using fake_router_actor =
    router_actor::extend<caf::reacts_to<done_atom, std::string, std::string, routed_response>,
                         caf::reacts_to<failed_atom, std::string, caf::error>>;

using fake_pointer = fake_router_actor::stateful_pointer<fake_router_state>;

caf::typed_response_promise<routed_response> hold(fake_pointer self, role_request req) {
  auto rp = self->make_response_promise<routed_response>();
  self->state.received.push_back(req);
  self->state.open.push_back(pending{std::move(req), rp});
  return rp;
}

std::optional<pending> take(fake_pointer self, const std::string& target, const std::string& role) {
  auto& open = self->state.open;
  for (auto i = open.begin(); i != open.end(); ++i)
    if (i->req.target == target && (role.empty() || i->req.role == role)) {
      auto p = std::move(*i);
      open.erase(i);
      return p;
    }
  return std::nullopt;
}

fake_router_actor::behavior_type fake_router(fake_pointer self) {
  return {
      [=](complete_atom, role_request& req) { return hold(self, std::move(req)); },
      [=](stream_atom, role_request& req) { return hold(self, std::move(req)); },
      [=](chunk_atom, const stream_chunk&) {},
      [=](cancel_atom, uint64_t) {},
      [=](models_atom, const std::string&) { return std::vector<model_info>{}; },
      [=](done_atom, const std::string& target, const std::string& role, routed_response& r) {
        if (auto p = take(self, target, role))
          p->rp.deliver(std::move(r));
      },
      [=](failed_atom, const std::string& target, caf::error& e) {
        if (auto p = take(self, target, {}))
          p->rp.deliver(std::move(e));
      },
  };
}

// Collects progress events.
struct watcher_state {
  std::vector<roles::progress> events;
  static inline const char* name = "watcher";
};

progress_sink::behavior_type watcher(progress_sink::stateful_pointer<watcher_state> self) {
  return {[=](status_atom, const roles::progress& p) { self->state.events.push_back(p); }};
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

roles::job job_of(int number, std::vector<int> deps = {}, std::string specialist = {}) {
  return roles::job{plan::subtask{number, "subtask-" + std::to_string(number), std::move(deps),
                                  std::move(specialist)},
                    {},
                    {}};
}

struct fixture : test_coordinator_fixture<test_config> {
  std::shared_ptr<config::settings> settings = std::make_shared<config::settings>();
  fake_router_actor router;
  pool_actor pool;
  progress_sink observer;

  fixture() { router = sys.spawn(fake_router); }

  void make_pool(bool watch = false, bool with_witness = false) {
    router_actor as_router = router;
    pool_setup setup{settings, as_router, {}, {}};
    if (with_witness)
      setup.witness = spawn_witness(sys, as_router, *settings);
    if (watch) {
      observer = sys.spawn(watcher);
      setup.observer = observer;
    }
    pool = spawn_pool(sys, setup);
  }

  ~fixture() {
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    sched.run();
  }

  fake_router_state& fake() {
    return deref<caf::stateful_actor<fake_router_state, fake_router_actor::base>>(router).state;
  }

  // Unanswered requests for `target`.
  size_t open_on(const std::string& target) {
    size_t n = 0;
    for (const auto& p : fake().open)
      n += p.req.target == target;
    return n;
  }

  // The subtask text of the oldest open request to `target`.
  // The system turn of the open request for `target`.
  std::string system_on(const std::string& target) {
    for (const auto& p : fake().open)
      if (p.req.target == target && !p.req.request.messages.empty()
          && p.req.request.messages.front().who == et::role::system)
        return p.req.request.messages.front().content;
    return {};
  }

  std::string prompt_on(const std::string& target) {
    for (const auto& p : fake().open)
      if (p.req.target == target)
        return p.req.request.messages.back().content;
    return {};
  }

  // Answers the oldest open request for `target` (and `role`, "" = any).
  void answer(const std::string& target, std::string text, const std::string& role = {}) {
    require_open(target);
    routed_response r;
    r.response.content = std::move(text);
    r.response.tokens.completion_tokens = 10;
    r.alias = target;
    r.provider = "fake";
    r.model = target + "-model";
    self->send(router, done_atom::value, target, role, std::move(r));
    sched.run();
  }

  // Fails the oldest open request for `target`.
  void fail(const std::string& target, errc code, std::string why = "upstream broke") {
    require_open(target);
    self->send(router, failed_atom::value, target, to_caf(failure{code, std::move(why)}));
    sched.run();
  }

  void require_open(const std::string& target) {
    sched.run();
    if (open_on(target) == 0)
      CAF_FAIL("no open request for " << target);
  }

  roles::execution exec_of(std::vector<roles::job> jobs, std::vector<roles::member_spec> members,
                           std::vector<std::string> reserves = {}) {
    roles::execution e;
    e.task = "the task";
    e.jobs = std::move(jobs);
    e.lanes.push_back(roles::lane{"", "polecat", std::move(members), std::move(reserves), ""});
    return e;
  }

  std::vector<roles::subtask_outcome> outcomes;
  bool replied = false;

  // Starts an execution; its reply lands in self's mailbox (see took_reply).
  void start(roles::execution e) {
    self->send(pool, execute_atom::value, std::move(e));
    sched.run();
  }

  // True once the execute reply arrived (it is then in `outcomes`).
  bool took_reply() {
    sched.run();
    if (!replied && !self->mailbox().empty())
      self->receive(
          [this](std::vector<roles::subtask_outcome>& out) {
            outcomes = std::move(out);
            replied = true;
          },
          [](caf::error& e) { CAF_FAIL(to_string(from_caf(e))); });
    return replied;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(pool_tests, fixture)

CAF_TEST(members take at most their concurrency and a free member takes the next job) {
  make_pool();
  auto rh = self->request(
      pool, caf::infinite, execute_atom::value,
      exec_of({job_of(1), job_of(2), job_of(3), job_of(4), job_of(5)}, {{"a", 1}, {"b", 2}}));
  sched.run();
  CAF_CHECK_EQUAL(open_on("a"), 1u);
  CAF_CHECK_EQUAL(open_on("b"), 2u);
  // b finishes first: it takes the next waiting job at once, a still has one.
  answer("b", "B1");
  CAF_CHECK_EQUAL(open_on("b"), 2u);
  CAF_CHECK_EQUAL(open_on("a"), 1u);
  CAF_CHECK(has(prompt_on("b"), "subtask-3") || has(prompt_on("b"), "subtask-4"));
  answer("a", "A1");
  answer("b", "B2");
  answer("b", "B3");
  answer("a", "A2");
  CAF_CHECK_EQUAL(fake().open.size(), 0u);
  sched.run();
  std::vector<roles::subtask_outcome> out;
  rh.receive([&](std::vector<roles::subtask_outcome>& o) { out = std::move(o); },
             [&](caf::error& e) { CAF_FAIL(to_string(from_caf(e))); });
  CAF_REQUIRE_EQUAL(out.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    CAF_CHECK_EQUAL(out[i].result.number, i + 1);
    CAF_CHECK(out[i].result.ok);
    CAF_CHECK_EQUAL(out[i].attempts, 1);
  }
  // Completion order differed from subtask order; the outcomes follow the subtasks.
  CAF_CHECK_EQUAL(out[0].member, "a");
  CAF_CHECK_EQUAL(out[0].result.output, "A1");
  CAF_CHECK_EQUAL(out[1].result.output, "B1");
  CAF_CHECK_EQUAL(out[0].tokens.completion_tokens, 10);
}

CAF_TEST(a failing member loses its work to the others and is benched after two failures) {
  make_pool();
  auto rh = self->request(
      pool, caf::infinite, execute_atom::value,
      exec_of({job_of(1), job_of(2), job_of(3), job_of(4)}, {{"bad", 1}, {"good", 1}}));
  sched.run();
  fail("bad", errc::server_error);
  fail("bad", errc::server_error);
  // Benched: the remaining work waits for "good" rather than going to "bad".
  CAF_CHECK_EQUAL(open_on("bad"), 0u);
  for (int i = 0; i < 4; ++i)
    answer("good", "G" + std::to_string(i));
  sched.run();
  std::vector<roles::subtask_outcome> out;
  rh.receive([&](std::vector<roles::subtask_outcome>& o) { out = std::move(o); },
             [&](caf::error& e) { CAF_FAIL(to_string(from_caf(e))); });
  CAF_REQUIRE_EQUAL(out.size(), 4u);
  size_t to_bad = 0;
  for (const auto& r : fake().received)
    to_bad += r.target == "bad";
  CAF_CHECK_EQUAL(to_bad, 2u);
  for (const auto& o : out) {
    CAF_CHECK(o.result.ok);
    CAF_CHECK_EQUAL(o.member, "good");
  }
  CAF_CHECK_EQUAL(out[0].attempts, 2);
}

CAF_TEST(when every member fails the reserves are tried in order then the job fails) {
  make_pool();
  auto rh = self->request(pool, caf::infinite, execute_atom::value,
                          exec_of({job_of(1), job_of(2)}, {{"m1", 1}, {"m2", 1}}, {"r1", "r2"}));
  sched.run();
  fail("m1", errc::overloaded);
  fail("m2", errc::overloaded);
  // Each job moves to the member it has not tried.
  fail("m2", errc::overloaded);
  fail("m1", errc::overloaded);
  CAF_CHECK_EQUAL(open_on("r1"), 2u);
  answer("r1", "saved by r1");
  fail("r1", errc::timeout);
  fail("r2", errc::timeout, "r2 timed out");
  sched.run();
  std::vector<roles::subtask_outcome> out;
  rh.receive([&](std::vector<roles::subtask_outcome>& o) { out = std::move(o); },
             [&](caf::error& e) { CAF_FAIL(to_string(from_caf(e))); });
  CAF_REQUIRE_EQUAL(out.size(), 2u);
  CAF_CHECK(out[0].result.ok != out[1].result.ok);
  auto& saved = out[0].result.ok ? out[0] : out[1];
  auto& lost = out[0].result.ok ? out[1] : out[0];
  CAF_CHECK_EQUAL(saved.member, "r1");
  CAF_CHECK_EQUAL(saved.attempts, 3);
  CAF_CHECK_EQUAL(lost.attempts, 4);
  CAF_CHECK(has(lost.result.error, "every member and fallback"));
  CAF_CHECK(has(lost.result.error, "r2 timed out"));
  CAF_CHECK(!lost.cancelled);
}

CAF_TEST(dependents wait for their dependencies and receive their results) {
  make_pool();
  start(exec_of({job_of(1), job_of(2, {1}), job_of(3, {2}), job_of(4)}, {{"a", 4}}));
  CAF_CHECK_EQUAL(open_on("a"), 2u); // 1 and 4; 2 and 3 wait
  answer("a", "FIRST-RESULT");
  CAF_CHECK_EQUAL(open_on("a"), 2u); // 4 and 2
  bool found = false;
  for (const auto& p : fake().open)
    if (has(p.req.request.messages.back().content, "subtask-2")) {
      found = true;
      CAF_CHECK(has(p.req.request.messages.back().content, "FIRST-RESULT"));
    }
  CAF_CHECK(found);
  // 4 fails for good (no reserves): 2 and 3 do not depend on it.
  fail("a", errc::bad_request);
  answer("a", "SECOND");
  answer("a", "THIRD");
  CAF_REQUIRE(took_reply());
  CAF_REQUIRE_EQUAL(outcomes.size(), 4u);
  CAF_CHECK(outcomes[2].result.ok);
  CAF_CHECK(!outcomes[3].result.ok);
}

CAF_TEST(a failed dependency fails its dependents without running them) {
  make_pool();
  start(exec_of({job_of(1), job_of(2, {1}), job_of(3, {2})}, {{"a", 1}}));
  fail("a", errc::bad_request);
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(fake().received.size(), 1u);
  CAF_CHECK(has(outcomes[1].result.error, "depends on subtask 1"));
  CAF_CHECK(has(outcomes[2].result.error, "depends on subtask 2"));
}

CAF_TEST(earlier results satisfy dependencies of a resumed run) {
  make_pool();
  auto e = exec_of({job_of(2, {1})}, {{"a", 1}});
  e.finished.push_back(roles::worker_result{1, "subtask-1", "EARLIER", true, ""});
  start(std::move(e));
  CAF_CHECK(has(prompt_on("a"), "EARLIER"));
  answer("a", "done");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes.size(), 1u);
}

CAF_TEST(low scores send the answer back with the note until it passes) {
  make_pool(false, true);
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.review = roles::review_policy{true, 7, 2};
  start(std::move(e));
  answer("a", "draft one");
  answer("", "SCORE: 3/10\n- handle empty input", "witness");
  // The re-ask carries the earlier answer and the note.
  CAF_CHECK(has(prompt_on("a"), "draft one"));
  CAF_CHECK(has(prompt_on("a"), "handle empty input"));
  answer("a", "draft two");
  answer("", "SCORE: 9/10\n- fine", "witness");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes[0].result.output, "draft two");
  CAF_CHECK_EQUAL(outcomes[0].reasks, 1);
  CAF_CHECK(outcomes[0].scored);
  CAF_CHECK_EQUAL(outcomes[0].score, 9.0);
  CAF_CHECK_EQUAL(outcomes[0].tokens.completion_tokens, 20);
}

CAF_TEST(re - asks stop at the limit and when an answer repeats) {
  make_pool(false, true);
  auto e = exec_of({job_of(1), job_of(2)}, {{"a", 2}});
  e.review = roles::review_policy{true, 7, 1};
  start(std::move(e));
  answer("a", "same");
  answer("a", "other");
  answer("", "SCORE: 2/10\n- wrong", "witness");
  answer("", "SCORE: 2/10\n- wrong", "witness");
  answer("a", "same");     // job 1 repeats itself: accepted without another review
  answer("a", "other v2"); // job 2 is reviewed once more, then the limit holds
  answer("", "SCORE: 4/10\n- still wrong", "witness");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes[0].result.output, "same");
  CAF_CHECK_EQUAL(outcomes[1].result.output, "other v2");
  CAF_CHECK_EQUAL(outcomes[1].score, 4.0);
  CAF_CHECK_EQUAL(outcomes[1].reasks, 1);
  CAF_CHECK(outcomes[1].result.ok);
}

CAF_TEST(a reviewed dependency releases its dependents) {
  make_pool(false, true);
  auto e = exec_of({job_of(1), job_of(2, {1})}, {{"a", 1}, {"b", 1}});
  e.review = roles::review_policy{true, 7, 2};
  start(std::move(e));
  answer("a", "base");
  answer("", "SCORE: 9/10\n- good", "witness");
  // Job 2 starts as soon as the review of job 1 passed.
  CAF_CHECK_EQUAL(open_on("a") + open_on("b"), 1u);
  answer(open_on("a") ? "a" : "b", "built on base");
  answer("", "SCORE: 9/10\n- good", "witness");
  CAF_REQUIRE(took_reply());
  CAF_CHECK(outcomes[1].result.ok);
}

CAF_TEST(a second execution on the same pool runs on fresh workers) {
  make_pool();
  start(exec_of({job_of(1)}, {{"a", 1}}));
  answer("a", "first");
  CAF_REQUIRE(took_reply());
  replied = false;
  // A fix round: the same subtask again, with the earlier answer and feedback.
  auto e = exec_of({job_of(1)}, {{"a", 1}});
  e.jobs[0].previous = "first";
  e.jobs[0].feedback = "the verify command failed";
  start(std::move(e));
  CAF_CHECK(has(prompt_on("a"), "the verify command failed"));
  answer("a", "second");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes[0].result.output, "second");
}

CAF_TEST(cancel keeps finished work and marks the rest cancelled) {
  make_pool(true);
  start(exec_of({job_of(1), job_of(2), job_of(3), job_of(4, {3})}, {{"a", 1}, {"b", 1}}));
  answer("a", "kept");
  self->send(pool, cancel_atom::value);
  sched.run();
  CAF_REQUIRE(took_reply());
  CAF_REQUIRE_EQUAL(outcomes.size(), 4u);
  CAF_CHECK(outcomes[0].result.ok);
  CAF_CHECK_EQUAL(outcomes[0].result.output, "kept");
  for (int i = 1; i < 4; ++i) {
    CAF_CHECK(!outcomes[i].result.ok);
    CAF_CHECK(outcomes[i].cancelled);
  }
  auto& events = deref<caf::stateful_actor<watcher_state, progress_sink::base>>(observer).state;
  size_t finished = 0;
  for (const auto& p : events.events)
    finished += p.kind() == roles::progress_kind::finished;
  CAF_CHECK_EQUAL(finished, 4u);
}

CAF_TEST(an exceeded budget stops dispatching but keeps what finished) {
  make_pool();
  start(exec_of({job_of(1), job_of(2), job_of(3)}, {{"a", 1}}));
  answer("a", "one");
  fail("a", errc::budget_exceeded, "budget per_run of $0.01 would be exceeded");
  CAF_REQUIRE(took_reply());
  CAF_CHECK(outcomes[0].result.ok);
  CAF_CHECK(has(outcomes[1].result.error, "budget"));
  CAF_CHECK(has(outcomes[2].result.error, "not run"));
  CAF_CHECK_EQUAL(fake().received.size(), 2u);
}

CAF_TEST(specialist jobs go to their lane and progress is reported) {
  make_pool(true);
  auto e = exec_of({job_of(1), job_of(2, {}, "security")}, {{"a", 1}});
  e.lanes.push_back(roles::lane{"security", "polecat", {{"sec", 1}}, {}, "You audit code."});
  start(std::move(e));
  CAF_CHECK_EQUAL(open_on("a"), 1u);
  CAF_CHECK_EQUAL(open_on("sec"), 1u);
  CAF_CHECK(has(prompt_on("sec"), "subtask-2"));
  // The specialist speaks with its own system prompt, the worker lane with the role's.
  CAF_CHECK_EQUAL(system_on("sec"), "You audit code.");
  CAF_CHECK(!system_on("a").empty() && system_on("a") != "You audit code.");
  answer("sec", "audited");
  answer("a", "built");
  CAF_REQUIRE(took_reply());
  CAF_CHECK_EQUAL(outcomes[1].member, "sec");
  auto& events = deref<caf::stateful_actor<watcher_state, progress_sink::base>>(observer).state;
  CAF_REQUIRE(!events.events.empty());
  CAF_CHECK(events.events.front().kind() == roles::progress_kind::assigned);
  CAF_CHECK(events.events.back().kind() == roles::progress_kind::finished);
}

CAF_TEST(lanes come from the config with reserves after the pool) {
  config::settings s;
  config::role polecat;
  polecat.model = "w1";
  polecat.fallbacks = {"w9", "w1"};
  polecat.pool = {{"w1", 2}, {"w2", 0}};
  s.roles["polecat"] = polecat;
  config::role sec;
  sec.model = "auditor";
  sec.system_prompt = "You audit code.";
  s.specialists["security"] = sec;
  auto lanes = roles::plan_lanes(s, "polecat", 3);
  CAF_REQUIRE_EQUAL(lanes.size(), 2u);
  CAF_CHECK_EQUAL(lanes[0].members, (std::vector<roles::member_spec>{{"w1", 2}, {"w2", 1}}));
  CAF_CHECK_EQUAL(lanes[0].reserves, (std::vector<std::string>{"w9"}));
  CAF_CHECK_EQUAL(lanes[1].members, (std::vector<roles::member_spec>{{"auditor", 3}}));
  CAF_CHECK_EQUAL(lanes[0].system_prompt, ""); // the role's (here the built-in one)
  CAF_CHECK_EQUAL(lanes[1].system_prompt, "You audit code.");
  CAF_CHECK_EQUAL(roles::lane_for(lanes, "security"), 1u);
  CAF_CHECK_EQUAL(roles::lane_for(lanes, "nobody"), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
