#define CAF_SUITE actors.detail.handoff_io
#include "caf/test/unit_test.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "caf/all.hpp"
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

  fixture() { central.shared.io = rt; }
  ~fixture() { rt->poll(); } // a wake-up left posted refers to `central`: run it now
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

CAF_TEST(jobs queued while a wake up is on its way post no second one) {
  central.shared.sleeping = 2; // as if two workers slept in the runtime
  policy.central_enqueue(&central, &a);
  policy.central_enqueue(&central, &b);
  CAF_CHECK(central.shared.wake_pending);
  CAF_CHECK_EQUAL(rt->poll(), 1u); // one wake-up for both: whoever runs it finds them
  CAF_CHECK(!central.shared.wake_pending);
  policy.central_enqueue(&central, &c); // after it ran, the next job posts again
  CAF_CHECK_EQUAL(rt->poll(), 1u);
  central.shared.sleeping = 0;
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

struct driven_config : caf::actor_system_config {
  explicit driven_config(std::shared_ptr<et::http::runtime> rt) {
    et::actors::prepare_system(*this, et::actors::scheduling::handoff, 1, std::move(rt));
  }
};

} // namespace

// Whether prepare_system(how, runtime) refuses with std::invalid_argument.
static bool refused(et::actors::scheduling how, std::shared_ptr<et::http::runtime> rt) {
  caf::actor_system_config cfg;
  try {
    et::actors::prepare_system(cfg, how, 1, std::move(rt));
  } catch (const std::invalid_argument&) {
    return true;
  }
  return false;
}

CAF_TEST(only the handoff scheduler drives a runtime and only one made to be driven) {
  auto driven = std::make_shared<et::http::runtime>(et::http::runtime::driven, 1);
  CAF_CHECK(refused(et::actors::scheduling::sharing, driven));
  CAF_CHECK(refused(et::actors::scheduling::handoff, std::make_shared<et::http::runtime>(1)));
  CAF_CHECK(!refused(et::actors::scheduling::handoff, driven));
}

// The whole path as `et serve --io workers` runs it: a completion on the runtime messages an
// actor, which runs on the same thread, and its answer reaches the runtime again.
CAF_TEST(an actor woken by an I O handler runs on the worker that ran the handler) {
  auto rt = std::make_shared<et::http::runtime>(et::http::runtime::driven, 1);
  std::thread::id handler_on;
  std::atomic<bool> answered{false};
  {
    driven_config cfg{rt};
    caf::actor_system sys{cfg};
    auto same = std::make_shared<std::atomic<bool>>(false);
    auto actor = sys.spawn([=, &handler_on, &answered](caf::event_based_actor*) -> caf::behavior {
      return {[=, &handler_on, &answered](caf::get_atom) {
        same->store(std::this_thread::get_id() == handler_on);
        rt->post([&answered] { answered = true; }); // back to the I/O side
      }};
    });
    rt->post([&, actor] {
      handler_on = std::this_thread::get_id();
      caf::anon_send(actor, caf::get_atom::value);
    });
    while (!answered.load()) // runs on the worker: nothing here drives the runtime
      std::this_thread::yield();
    CAF_CHECK(same->load());
    CAF_CHECK(handler_on != std::this_thread::get_id());
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  }
  CAF_CHECK_EQUAL(rt.use_count(), 1); // the scheduler let go of it
}
