#define CAF_SUITE actors.detail.handoff_policy
#include "caf/test/unit_test.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include "caf/all.hpp"
#include "et/actors/detail/handoff_policy.hpp"
#include "et/actors/system_setup.hpp"
#include "policy_stand_ins.hpp"

using et::actors::detail::handoff_policy;

namespace {

using et::test::coordinator;
using et::test::job;
using et::test::worker;

struct fixture {
  handoff_policy policy;
  coordinator central;
  worker me{&central};
  job a, b, c, d;

  // Makes this thread `me`'s own (a worker's thread is the one that dequeues for it).
  void adopt() {
    policy.central_enqueue(&central, &d);
    CAF_REQUIRE_EQUAL(policy.dequeue(&me), &d);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(handoff_policy_tests, fixture)

CAF_TEST(every scheduling reads back from its name and other words are refused) {
  using namespace et::actors;
  for (auto how : {scheduling::stealing, scheduling::sharing, scheduling::handoff})
    CAF_CHECK(parse_scheduling(name_of(how)) == how);
  CAF_CHECK(!parse_scheduling("work-stealing"));
  CAF_CHECK(!parse_scheduling(""));
}

CAF_TEST(a job woken by the running job goes to the slot of its worker and runs next) {
  adopt();
  policy.central_enqueue(&central, &a);
  policy.internal_enqueue(&me, &b);
  CAF_CHECK_EQUAL(me.mine.next, &b);
  CAF_CHECK_EQUAL(policy.dequeue(&me), &b); // ahead of the central queue
  CAF_CHECK_EQUAL(policy.dequeue(&me), &a);
}

CAF_TEST(a second woken job takes the slot and the first moves to the central queue) {
  adopt();
  policy.internal_enqueue(&me, &a);
  policy.internal_enqueue(&me, &b);
  CAF_CHECK_EQUAL(me.mine.next, &b);
  CAF_CHECK_EQUAL(central.shared.queue.size(), 1u);
  CAF_CHECK_EQUAL(central.shared.queued.load(), 1u);
  CAF_CHECK_EQUAL(policy.dequeue(&me), &b);
  CAF_CHECK_EQUAL(policy.dequeue(&me), &a);
}

CAF_TEST(after max_handoffs slot runs in a row the central queue goes first) {
  adopt();
  policy.central_enqueue(&central, &c);
  for (int i = 0; i < handoff_policy::max_handoffs; ++i) {
    policy.internal_enqueue(&me, &a);
    CAF_REQUIRE_EQUAL(policy.dequeue(&me), &a);
  }
  policy.internal_enqueue(&me, &a);
  CAF_CHECK_EQUAL(policy.dequeue(&me), &c); // the waiting job's turn
  CAF_CHECK_EQUAL(policy.dequeue(&me), &a); // then the slot's, queued behind it
  CAF_CHECK_EQUAL(me.mine.next, nullptr);
}

CAF_TEST(a job woken from another thread goes to the central queue) {
  adopt();
  std::thread other{[&] { policy.internal_enqueue(&me, &a); }};
  other.join();
  CAF_CHECK_EQUAL(me.mine.next, nullptr);
  CAF_CHECK_EQUAL(central.shared.queue.size(), 1u);
  CAF_CHECK_EQUAL(policy.dequeue(&me), &a);
}

CAF_TEST(a sleeping worker wakes for a job queued from outside) {
  worker sleeper{&central};
  caf::resumable* got = nullptr;
  std::thread t{[&] { got = policy.dequeue(&sleeper); }};
  policy.central_enqueue(&central, &a); // before or after it fell asleep: either way it gets it
  t.join();
  CAF_CHECK_EQUAL(got, &a);
  CAF_CHECK(central.shared.queue.empty());
}

// Waits (polling the policy's own counters, under its lock) until `n` workers sleep.
void await_sleepers(handoff_policy::coordinator_data& shared, size_t n) {
  for (;;) {
    {
      std::unique_lock guard{shared.lock};
      if (shared.sleeping == n)
        return;
    }
    std::this_thread::yield();
  }
}

CAF_TEST(two jobs queued for one sleeping worker signal it once and both run) {
  worker sleeper{&central};
  caf::resumable* got = nullptr;
  std::thread t{[&] { got = policy.dequeue(&sleeper); }};
  await_sleepers(central.shared, 1);
  policy.central_enqueue(&central, &a);
  {
    std::unique_lock guard{central.shared.lock};
    CAF_CHECK_EQUAL(central.shared.sleeping, 0u); // counted as woken at once, before it runs
    CAF_CHECK_LESS_OR_EQUAL(central.shared.signalled, 1u);
  }
  policy.central_enqueue(&central, &b); // no second signal: nobody else sleeps
  t.join();
  CAF_CHECK_EQUAL(got, &a);
  CAF_CHECK_EQUAL(policy.dequeue(&me), &b);
  std::unique_lock guard{central.shared.lock};
  CAF_CHECK_EQUAL(central.shared.sleeping, 0u);
  CAF_CHECK_EQUAL(central.shared.signalled, 0u); // the signal was taken by the woken worker
}

CAF_TEST(what a stopped worker and the central queue held is handed back for cleanup) {
  adopt();
  policy.internal_enqueue(&me, &a);
  policy.central_enqueue(&central, &b);
  policy.central_enqueue(&central, &c);
  std::vector<caf::resumable*> cleaned;
  policy.foreach_resumable(&me, [&](caf::resumable* r) { cleaned.push_back(r); });
  policy.foreach_central_resumable(&central, [&](caf::resumable* r) { cleaned.push_back(r); });
  CAF_CHECK_EQUAL(cleaned, (std::vector<caf::resumable*>{&a, &b, &c}));
  CAF_CHECK_EQUAL(central.shared.queued.load(), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

struct one_worker_config : caf::actor_system_config {
  one_worker_config() {
    et::actors::prepare_system(*this, et::actors::scheduling::handoff);
    set("scheduler.max-threads", 1);
  }
};

using ping_atom = caf::atom_constant<caf::atom("ping")>;

} // namespace

// On one worker only the policy's fairness bound lets a third actor run while two others
// keep messaging each other: without it the reply would come after the last ping.
CAF_TEST(two actors messaging each other do not starve a third on a single worker) {
  constexpr int64_t pings = 20'000'000;
  one_worker_config cfg;
  caf::actor_system sys{cfg};
  auto sent = std::make_shared<std::atomic<int64_t>>(0);
  auto stop = std::make_shared<std::atomic<bool>>(false);
  auto echo = sys.spawn([](caf::event_based_actor* self) -> caf::behavior {
    return {[=](ping_atom, int64_t n) {
      self->send(caf::actor_cast<caf::actor>(self->current_sender()), ping_atom::value, n);
    }};
  });
  auto pinger = sys.spawn([=](caf::event_based_actor* self) -> caf::behavior {
    return {[=](ping_atom, int64_t n) {
      sent->store(n);
      if (n < pings && !stop->load())
        self->send(echo, ping_atom::value, n + 1);
    }};
  });
  auto watcher = sys.spawn([=](caf::event_based_actor*) -> caf::behavior {
    return {[=](caf::get_atom) {
      stop->store(true);
      return sent->load();
    }};
  });
  caf::anon_send(pinger, ping_atom::value, int64_t{0});
  caf::scoped_actor self{sys};
  self->request(watcher, caf::infinite, caf::get_atom::value)
      .receive([&](int64_t seen) { CAF_CHECK_LESS(seen, pings); },
               [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
  caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(pinger, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
}
