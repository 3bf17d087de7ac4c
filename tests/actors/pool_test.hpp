#pragma once
// The pool suites' fixture (pool.test.cpp: dispatch, failures, dependencies;
// pool_review.test.cpp: re-asks, cancel, budgets, lanes): a router the test
// answers by hand and a progress watcher, on CAF's deterministic coordinator.

#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/roles/pool.hpp"
#include "et/actors/roles/witness.hpp"

namespace pool_test {

using namespace et;
using namespace et::actors;
using namespace et::test;

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

inline caf::typed_response_promise<routed_response> hold(fake_pointer self, role_request req) {
  auto rp = self->make_response_promise<routed_response>();
  self->state.received.push_back(req);
  self->state.open.push_back(pending{std::move(req), rp});
  return rp;
}

inline std::optional<pending> take(fake_pointer self, const std::string& target,
                                   const std::string& role) {
  auto& open = self->state.open;
  for (auto i = open.begin(); i != open.end(); ++i)
    if (i->req.target == target && (role.empty() || i->req.role == role)) {
      auto p = std::move(*i);
      open.erase(i);
      return p;
    }
  return std::nullopt;
}

inline fake_router_actor::behavior_type fake_router(fake_pointer self) {
  return {
      [=](complete_atom, role_request& req) { return hold(self, std::move(req)); },
      [=](stream_atom, role_request& req) { return hold(self, std::move(req)); },
      [=](chunk_atom, const stream_chunk&) {},
      [=](cancel_atom, uint64_t) {},
      [=](models_atom, const std::string&) { return std::vector<model_info>{}; },
      [=](embed_atom, const role_embed_request&) { return routed_embedding{}; },
      [=](count_atom, const role_request&) { return routed_response{}; },
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

inline progress_sink::behavior_type watcher(progress_sink::stateful_pointer<watcher_state> self) {
  return {[=](status_atom, const roles::progress& p) { self->state.events.push_back(p); }};
}

inline bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

inline roles::job job_of(int number, std::vector<int> deps = {}, std::string specialist = {}) {
  return roles::job{plan::subtask{number, "subtask-" + std::to_string(number), std::move(deps),
                                  std::move(specialist)},
                    {},
                    {},
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

} // namespace pool_test
