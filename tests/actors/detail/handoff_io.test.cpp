#define CAF_SUITE actors.detail.handoff_io
#include "caf/test/unit_test.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "caf/all.hpp"
#include "caf/scheduler/coordinator.hpp"
#include "et/actors/detail/handoff_policy.hpp"
#include "et/actors/system_setup.hpp"
#include "et/http/runtime.hpp"
#include "policy_stand_ins.hpp"

// et's scheduling policy driving an HTTP runtime: the workers are the runtime's I/O threads,
// and an actor an I/O handler wakes runs next on the worker that ran the handler.

using et::actors::detail::handoff_policy;
using et::test::coordinator;
using et::test::job;
using et::test::worker;

namespace {

struct fixture {
  handoff_policy policy;
  coordinator central;
  worker me{&central};
  job a, b, c;
  std::shared_ptr<et::http::runtime> rt =
      std::make_shared<et::http::runtime>(et::http::runtime::driven, 1);

  fixture() {
    central.shared.io = rt;
    // A sleeper looks at the queue only when woken: without its wake-up a test here hangs.
    central.shared.sleep_bound = std::chrono::hours{1};
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(handoff_io_tests, fixture)

CAF_TEST(an idle worker runs the runtime handlers and the actors they wake run next on it) {
  // The handler wakes two actors: the second takes the worker's slot, the first queues
  // centrally; both on this worker, the slot's first.
  rt->post([&] {
    policy.central_enqueue(&central, &a);
    policy.central_enqueue(&central, &b);
  });
  CAF_CHECK_EQUAL(policy.dequeue(&me), &b);
  CAF_CHECK_EQUAL(policy.dequeue(&me), &a);
  CAF_CHECK(central.shared.queue.empty());
}

CAF_TEST(a worker with jobs waiting still runs the runtime first when it is due) {
  policy.central_enqueue(&central, &a); // from outside any worker: central
  rt->post([&] { policy.central_enqueue(&central, &b); });
  // Never polled: due at once, so the handler runs before the central queue is served.
  CAF_CHECK_EQUAL(policy.dequeue(&me), &b);
  CAF_CHECK_EQUAL(policy.dequeue(&me), &a);
}

CAF_TEST(a worker asleep in the runtime wakes for an I O completion) {
  caf::resumable* got = nullptr;
  std::thread t{[&] { got = policy.dequeue(&me); }};
  // Asleep in the runtime or about to be: the handler runs on it (a worker asleep on the
  // condition variable would never run it, and this would never end).
  rt->post([&] { policy.central_enqueue(&central, &c); });
  t.join();
  CAF_CHECK_EQUAL(got, &c);
  CAF_CHECK(central.shared.queue.empty()); // through its slot
}

CAF_TEST(a worker asleep in the runtime wakes for a job queued from another thread) {
  caf::resumable* got = nullptr;
  std::thread t{[&] { got = policy.dequeue(&me); }};
  for (;;) { // until it sleeps, so the job must wake it (else it would be found by polling)
    std::unique_lock guard{central.shared.lock};
    if (central.shared.sleeping == 1)
      break;
    guard.unlock();
    std::this_thread::yield();
  }
  policy.central_enqueue(&central, &a);
  t.join();
  CAF_CHECK_EQUAL(got, &a);
  std::unique_lock guard{central.shared.lock};
  CAF_CHECK_EQUAL(central.shared.sleeping, 0u);
}

CAF_TEST(wake ups on their way never outnumber the workers asleep in the runtime) {
  central.shared.sleeping = 2; // as if two workers slept in the runtime
  policy.central_enqueue(&central, &a);
  policy.central_enqueue(&central, &b);
  policy.central_enqueue(&central, &c); // both sleepers have a wake-up coming: no third
  CAF_CHECK_EQUAL(central.shared.wakes->load(), 2u);
  CAF_CHECK_EQUAL(rt->poll(), 2u);
  CAF_CHECK_EQUAL(central.shared.wakes->load(), 0u);
  central.shared.sleeping = 0;
}

CAF_TEST(a worker that takes a job while more wait passes a wake up on to a sleeper) {
  policy.central_enqueue(&central, &a); // nobody sleeps: no wake-up
  policy.central_enqueue(&central, &b);
  CAF_CHECK_EQUAL(central.shared.wakes->load(), 0u);
  central.shared.sleeping = 1; // one fell asleep meanwhile (a wake-up it missed, say)
  // Not due to run the runtime (which would run the wake-up it posts): jobs are first.
  me.mine.io_polled = std::chrono::steady_clock::now() + std::chrono::hours{1};
  CAF_CHECK_EQUAL(policy.dequeue(&me), &a);
  CAF_CHECK_EQUAL(central.shared.wakes->load(), 1u); // for `b`
  CAF_CHECK_EQUAL(policy.dequeue(&me), &b);
  CAF_CHECK_EQUAL(central.shared.wakes->load(), 1u); // none left waiting: none more
  CAF_CHECK_EQUAL(rt->poll(), 1u);
  central.shared.sleeping = 0;
}

CAF_TEST(a worker that ran a wake up meant for a sleeper wakes one when its own actor runs) {
  central.shared.sleeping = 1;          // as if a worker slept in the runtime
  policy.central_enqueue(&central, &a); // posts a wake-up for it
  rt->post([&] { policy.central_enqueue(&central, &b); });
  // This worker runs the wake-up, then the handler that wakes `b` into its slot: `a` still
  // waits, and the sleeper must hear of it.
  CAF_CHECK_EQUAL(policy.dequeue(&me), &b);
  CAF_CHECK_EQUAL(central.shared.wakes->load(), 1u);
  CAF_CHECK_EQUAL(central.shared.queue.size(), 1u);
  CAF_CHECK_EQUAL(rt->poll(), 1u);
  central.shared.sleeping = 0;
}

CAF_TEST(actors woken by I O take turns with the central queue after max_handoffs) {
  policy.central_enqueue(&central, &a); // waits centrally all along
  for (int i = 0; i < handoff_policy::max_handoffs; ++i) {
    rt->post([&] { policy.central_enqueue(&central, &b); });
    me.mine.io_polled = {}; // due to run the runtime first each time
    CAF_REQUIRE_EQUAL(policy.dequeue(&me), &b);
  }
  rt->post([&] { policy.central_enqueue(&central, &c); });
  me.mine.io_polled = {};
  CAF_CHECK_EQUAL(policy.dequeue(&me), &a); // the waiting job's turn
  CAF_CHECK_EQUAL(policy.dequeue(&me), &c); // then the one I/O woke, queued behind it
}

CAF_TEST(a worker runs at most io_batch handlers in a row and none after one fills its slot) {
  int ran = 0;
  for (std::size_t i = 0; i < handoff_policy::io_batch + 10; ++i)
    rt->post([&] { ++ran; });
  rt->post([&] { policy.central_enqueue(&central, &a); });
  policy.central_enqueue(&central, &b); // queued centrally: the poll ends after one batch
  CAF_CHECK_EQUAL(policy.dequeue(&me), &b);
  CAF_CHECK_EQUAL(ran, static_cast<int>(handoff_policy::io_batch));
  CAF_CHECK_EQUAL(policy.dequeue(&me), &a); // the next batch's last handler woke `a`
  CAF_CHECK_EQUAL(ran, static_cast<int>(handoff_policy::io_batch) + 10);
  rt->post([&] { ++ran; });
  rt->post([&] { policy.central_enqueue(&central, &c); });
  rt->post([&] { ++ran; }); // after `c` took the slot: left for the next turn, `c` runs first
  CAF_CHECK_EQUAL(policy.dequeue(&me), &c);
  CAF_CHECK_EQUAL(ran, static_cast<int>(handoff_policy::io_batch) + 11);
  CAF_CHECK_EQUAL(rt->poll(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

struct driven_config : caf::actor_system_config {
  explicit driven_config(std::shared_ptr<et::http::runtime> rt) {
    et::actors::prepare_system(*this, et::actors::scheduling::handoff, 1, std::move(rt));
  }
};

} // namespace

// Whether prepare_system(how, workers, runtime) refuses with std::invalid_argument.
static bool refused(et::actors::scheduling how, std::size_t workers,
                    std::shared_ptr<et::http::runtime> rt) {
  caf::actor_system_config cfg;
  try {
    et::actors::prepare_system(cfg, how, workers, std::move(rt));
  } catch (const std::invalid_argument&) {
    return true;
  }
  return false;
}

CAF_TEST(a runtime is driven only by the handoff scheduler and only by one) {
  using et::actors::scheduling;
  auto driven = std::make_shared<et::http::runtime>(et::http::runtime::driven, 2);
  CAF_CHECK(refused(scheduling::sharing, 1, driven));
  CAF_CHECK(refused(scheduling::handoff, 1, std::make_shared<et::http::runtime>(1)));
  CAF_CHECK(refused(scheduling::handoff, 3, driven)); // made for two drivers
  CAF_CHECK(!refused(scheduling::handoff, 2, driven));
  CAF_CHECK(refused(scheduling::handoff, 2, driven)); // taken
}

// The whole path as `et serve --io workers` runs it, through CAF's own enqueue: a handler on
// the runtime messages an actor, whose answer goes back to the runtime, all on the worker.
CAF_TEST(a system whose worker drives a runtime runs its handlers and the actors they wake) {
  auto rt = std::make_shared<et::http::runtime>(et::http::runtime::driven, 1);
  std::atomic<std::thread::id> handler_on{};
  std::atomic<std::thread::id> actor_on{};
  std::atomic<bool> answered{false};
  {
    driven_config cfg{rt};
    caf::actor_system sys{cfg};
    auto actor = sys.spawn([&](caf::event_based_actor*) -> caf::behavior {
      return {[&](caf::get_atom) {
                actor_on = std::this_thread::get_id();
                rt->post([&answered] { answered = true; }); // back to the I/O side
              },
              [](caf::ok_atom) { return caf::ok_atom::value; }};
    });
    { // started, and idle: a message now schedules it (its start was a central job)
      caf::scoped_actor self{sys};
      self->request(actor, caf::infinite, caf::ok_atom::value)
          .receive([](caf::ok_atom) {}, [](caf::error&) {});
    }
    auto& scheduler = static_cast<caf::scheduler::coordinator<handoff_policy>&>(sys.scheduler());
    std::atomic<size_t> queued_after_send{99};
    rt->post([&, actor] {
      handler_on = std::this_thread::get_id();
      caf::anon_send(actor, caf::get_atom::value);
      queued_after_send = scheduler.data().queued.load(); // into this worker's slot instead
    });
    while (!answered.load()) // nothing on this thread drives the runtime
      std::this_thread::yield();
    CAF_CHECK_EQUAL(queued_after_send.load(), 0u);
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  }
  CAF_CHECK(handler_on.load() != std::this_thread::get_id());
  CAF_CHECK(actor_on.load() == handler_on.load()); // the one worker
  CAF_CHECK_EQUAL(rt.use_count(), 1);              // the scheduler let go of it
}
