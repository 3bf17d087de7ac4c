#pragma once
/// et's scheduling policy for CAF's coordinator: work sharing with a hand-off slot and a
/// short spin before a worker sleeps.
///
/// A request crosses several actors in a row (requester -> router -> provider and back).
/// CAF's work sharing puts every actor a message wakes on one central queue and wakes a
/// sleeping worker for it, so each hop costs a futex wake and a context switch on another
/// core while the sending worker goes to sleep (et-bench-request under `perf sched`: two
/// wake-ups per hop). Here:
/// - An actor woken by a message sent from a worker goes to that worker's hand-off slot and
///   runs on it as soon as the sender's turn ends, without waking anyone. An actor the slot
///   already held moves to the central queue (waking a sleeping worker), so fan-out still
///   spreads over the workers.
/// - Everything woken from outside the workers (I/O threads, detached actors, timers) goes to
///   the central queue, and a worker with nothing to do polls that queue for `spin` before it
///   sleeps, yielding its core between polls: an I/O completion that comes within that time
///   needs no futex wake (the common case under load, where a wake costs more than the work).
/// - A worker runs its slot at most `max_handoffs` times in a row before it serves the central
///   queue, so two actors that keep messaging each other cannot starve the rest.
///
/// The slot's cost: an actor in it waits for the end of the sender's turn even when another
/// worker is idle. et's scheduled actors do no blocking work (the ledger's store writer, runs
/// and verify commands run detached), so a turn is short.
///
/// Given an HTTP runtime to drive (coordinator_data::io, set before the workers start), the
/// workers are also its I/O threads, and its handlers must not block either:
/// - An idle worker runs the runtime's ready handlers while it polls (past its first look, one
///   worker at a time does, so many idle workers do not queue on the runtime's lock), and
///   sleeps in the runtime's reactor instead of on the condition variable. A job queued centrally
///   wakes a sleeper through the runtime: one wake-up on its way per sleeper at most, and a worker
///   that takes a job while others still wait passes a wake-up on.
/// - An actor an I/O handler wakes goes to the slot of the worker that ran the handler and runs
///   as soon as that handler returns, so a socket's completion and the actor it concerns run
///   on one thread with no hand-off in between. It counts as a hand-off: after `max_handoffs`
///   in a row the central queue goes first, so a steady flow of I/O cannot starve it.
/// - A worker runs at most `io_batch` handlers in a row (a strand's ready handlers count as
///   one), and a busy one still runs the runtime's handlers every `io_interval`: neither
///   sockets nor actors wait for the other side to run dry.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "caf/policy/unprofiled.hpp"
#include "caf/resumable.hpp"
#include "et/http/runtime.hpp"

namespace et::actors::detail {

/// The policy; use as caf::scheduler::coordinator<handoff_policy>.
class handoff_policy : public caf::policy::unprofiled {
public:
  /// How many times in a row a worker runs its slot before it takes from the central queue.
  static constexpr int max_handoffs = 16;
  /// How long an idle worker polls the central queue before it sleeps.
  static constexpr std::chrono::microseconds spin{50};
  /// How long a sleeping worker waits before it looks at the queue anyway. Each job signals
  /// one sleeper once, so a signal lost inside the C library (glibc bug 25847) would leave a
  /// job waiting for the next push: this bounds that wait.
  static constexpr std::chrono::milliseconds lost_signal_bound{100};
  /// With a runtime to drive: how long a worker that keeps finding jobs may go without
  /// running the runtime's ready handlers.
  static constexpr std::chrono::microseconds io_interval{50};
  /// With a runtime to drive: the most handlers a worker runs before it looks at its jobs.
  static constexpr std::size_t io_batch = 64;

  /// Shared by all workers: the central queue and the sleepers' condition variable.
  struct coordinator_data {
    /// Called by CAF's coordinator.
    explicit coordinator_data(caf::scheduler::abstract_coordinator*) {}
    std::mutex lock;                   ///< guards queue, sleeping and signalled
    std::condition_variable cv;        ///< sleeping workers wait here (without `io`)
    std::deque<caf::resumable*> queue; ///< jobs any worker may take
    /// Workers waiting on cv and not yet signalled; with `io`, workers inside the runtime's
    /// wait (also while they run a handler there).
    size_t sleeping = 0;
    size_t signalled = 0;                  ///< signals no waiter has taken yet (without `io`)
    std::atomic<size_t> queued{0};         ///< queue.size(), for polling without the lock
    std::shared_ptr<et::http::runtime> io; ///< driven by the workers when set (before start)
    /// With `io`: wake-ups posted that no thread ran yet (shared with those handlers, which
    /// may outlive the coordinator in the runtime's queue).
    std::shared_ptr<std::atomic<size_t>> wakes = std::make_shared<std::atomic<size_t>>(0);
    std::atomic<bool> io_poller{false}; ///< with `io`: an idle worker is polling it
    /// How long a sleeper waits before it looks at the queue anyway (a test may lengthen it).
    std::chrono::microseconds sleep_bound{lost_signal_bound};
  };

  /// Each worker's own: its hand-off slot, touched only by its own thread.
  struct worker_data {
    /// Called by CAF's coordinator (once, then copied per worker).
    explicit worker_data(caf::scheduler::abstract_coordinator*) {}
    caf::resumable* next = nullptr;                  ///< runs after the current job
    int handoffs = 0;                                ///< slot runs in a row
    const coordinator_data* home = nullptr;          ///< its coordinator's (set on first dequeue)
    std::chrono::steady_clock::time_point io_polled; ///< when it last ran them
  };

  /// A job from outside any worker (an I/O thread, a timer, a detached actor).
  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* job) {
    auto& shared = d(self);
    // From an I/O handler a worker runs: into that worker's slot, to run when the handler is
    // done, on the same thread (the slot's earlier job, if any, queues centrally).
    if (auto* mine = driving_here; mine != nullptr && mine->home == &shared) {
      if (mine->next != nullptr)
        push(shared, mine->next);
      mine->next = job;
      return;
    }
    push(shared, job);
  }

  /// A job given to a worker from another thread.
  template <class Worker>
  void external_enqueue(Worker* self, caf::resumable* job) {
    push(d(self->parent()), job);
  }

  /// A job woken by the job `self` runs now: into its slot.
  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    auto& mine = d(self);
    // CAF names the sender's execution unit; only the worker's own thread may use its slot.
    if (running_here != &mine)
      return push(d(self->parent()), job);
    if (mine.next != nullptr)
      push(d(self->parent()), mine.next);
    mine.next = job;
  }

  /// A job that gave up its turn (its throughput ran out): to the back of the central queue.
  template <class Worker>
  void resume_job_later(Worker* self, caf::resumable* job) {
    push(d(self->parent()), job);
  }

  /// The next job for worker `self` (called on its own thread): its slot, else the central
  /// queue, polled for `spin` and then slept on until a job comes.
  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto& mine = d(self);
    auto& shared = d(self->parent());
    running_here = &mine;
    mine.home = &shared;
    if (mine.next != nullptr && mine.handoffs < max_handoffs) {
      ++mine.handoffs;
      return std::exchange(mine.next, nullptr);
    }
    if (mine.next == nullptr) {
      poll(mine, shared);
      if (mine.next != nullptr && mine.handoffs < max_handoffs) { // woken by an I/O handler
        ++mine.handoffs;
        return from_io(mine, shared);
      }
    } else if (shared.io && std::chrono::steady_clock::now() - mine.io_polled > io_interval) {
      drive(mine, *shared.io);
    }
    std::unique_lock guard{shared.lock};
    if (mine.next != nullptr) // its turn is over: behind what waits centrally
      shared.queue.push_back(std::exchange(mine.next, nullptr));
    while (shared.queue.empty()) {
      if (shared.io)
        sleep_in(mine, shared, guard);
      else
        sleep_on(shared, guard);
      if (mine.next != nullptr) { // an I/O handler it ran woke an actor; nothing else waits
        guard.unlock();
        mine.handoffs = 0;
        return from_io(mine, shared);
      }
    }
    mine.handoffs = 0; // the central queue's turn
    auto* job = shared.queue.front();
    shared.queue.pop_front();
    shared.queued.store(shared.queue.size(), std::memory_order_relaxed);
    bool pass_on = wants_wake(shared); // more jobs wait: a sleeper should take them
    guard.unlock();
    if (pass_on)
      post_wake(shared);
    return job;
  }

  /// Cleans up what a stopped worker still held.
  template <class Worker, class UnaryFunction>
  void foreach_resumable(Worker* self, UnaryFunction f) {
    if (auto* job = std::exchange(d(self).next, nullptr))
      f(job);
  }

  /// Cleans up what the central queue still held.
  template <class Coordinator, class UnaryFunction>
  void foreach_central_resumable(Coordinator* self, UnaryFunction f) {
    auto& shared = d(self);
    std::unique_lock guard{shared.lock};
    while (!shared.queue.empty()) {
      auto* job = shared.queue.front();
      shared.queue.pop_front();
      f(job);
    }
    shared.queued.store(0, std::memory_order_relaxed);
  }

private:
  /// The worker data of the worker running on this thread (null elsewhere).
  static inline thread_local const worker_data* running_here = nullptr;
  /// The worker data of the worker running the runtime's handlers on this thread right now.
  static inline thread_local worker_data* driving_here = nullptr;

  // Queues `job` centrally and wakes a sleeping worker, if any (no syscall otherwise).
  // A worker already signalled is not signalled again (each signal is a futex call
  // and, with two sleepers, a second wake-up for one job), and the signal goes out
  // after the unlock: a worker woken under the lock would block on it at once
  // (perf: the lock's futex wait and wake were a third of the gateway's futex calls).
  static void push(coordinator_data& shared, caf::resumable* job) {
    bool wake = false;
    {
      std::unique_lock guard{shared.lock};
      shared.queue.push_back(job);
      shared.queued.store(shared.queue.size(), std::memory_order_relaxed);
      if (shared.io) {
        wake = wants_wake(shared);
      } else if (shared.sleeping > 0) {
        --shared.sleeping;
        ++shared.signalled;
        wake = true;
      }
    }
    if (wake && shared.io)
      post_wake(shared);
    else if (wake)
      shared.cv.notify_one();
  }

  // With a runtime, under the lock: whether jobs wait and more workers sleep in the runtime
  // than wake-ups are on their way to it; if so, one more is counted (post it after unlock).
  // Any thread running the runtime may run a wake-up, a polling worker too; that worker then
  // takes a job itself, and whoever takes one while more wait passes a wake-up on.
  static bool wants_wake(coordinator_data& shared) {
    if (!shared.io || shared.queue.empty() || shared.sleeping <= shared.wakes->load())
      return false;
    shared.wakes->fetch_add(1);
    return true;
  }

  // Posts a wake-up counted by wants_wake: it ends one worker's wait in the runtime.
  static void post_wake(coordinator_data& shared) {
    shared.io->post([wakes = shared.wakes] { wakes->fetch_sub(1); });
  }

  // Hands out the slot's job, woken by an I/O handler this worker ran; if jobs wait centrally
  // meanwhile, a sleeper is woken for them (the wake-up this worker may have run was theirs).
  // Under the lock: a push that saw that wake-up still on its way, and so posted none, is
  // seen here (a lock-free look could miss it, the two sides' stores still unordered).
  static caf::resumable* from_io(worker_data& mine, coordinator_data& shared) {
    std::unique_lock guard{shared.lock};
    bool wake = wants_wake(shared);
    guard.unlock();
    if (wake)
      post_wake(shared);
    return std::exchange(mine.next, nullptr);
  }

  // Sleeps on the condition variable until signalled (or the bound); `guard` holds the lock.
  static void sleep_on(coordinator_data& shared, std::unique_lock<std::mutex>& guard) {
    ++shared.sleeping;
    shared.cv.wait_for(guard, shared.sleep_bound);
    // Woken by a signal, spuriously or by the bound: either way no longer a sleeper to signal.
    if (shared.signalled > 0)
      --shared.signalled;
    else
      --shared.sleeping;
  }

  // Polls the central queue (and runs the runtime's ready handlers, if it drives one and no
  // other worker polls it) for up to `spin` after the last sign of work, yielding the core
  // between polls; returns early when a job is queued or a handler filled the slot.
  static void poll(worker_data& mine, coordinator_data& shared) {
    using clock = std::chrono::steady_clock;
    // Jobs queued centrally end the poll at once: the runtime gets its turn first when it
    // waited `io_interval`, so a stream of jobs cannot hold back the sockets.
    if (shared.io && clock::now() - mine.io_polled > io_interval)
      drive(mine, *shared.io);
    bool polls_io = shared.io && !shared.io_poller.exchange(true);
    auto until = clock::now() + spin;
    while (shared.queued.load(std::memory_order_relaxed) == 0 && mine.next == nullptr) {
      if (polls_io && drive(mine, *shared.io) > 0) {
        until = clock::now() + spin;
        continue;
      }
      if (clock::now() >= until)
        break;
      std::this_thread::yield();
    }
    if (polls_io)
      shared.io_poller.store(false);
  }

  // Runs the runtime's ready handlers on this worker, at most `io_batch` and none after one
  // woke an actor into its slot (that actor runs next); how many ran.
  static std::size_t drive(worker_data& mine, et::http::runtime& io) {
    driving_here = &mine;
    auto* slot_was = mine.next;
    std::size_t ran = 0;
    while (ran < io_batch && mine.next == slot_was && io.poll_one())
      ++ran;
    driving_here = nullptr;
    mine.io_polled = std::chrono::steady_clock::now();
    return ran;
  }

  // Sleeps in the runtime's reactor until a handler ran there (an I/O completion, or push's
  // wake-up) or the bound passed; `guard` holds the lock, and does again on return.
  static void sleep_in(worker_data& mine, coordinator_data& shared,
                       std::unique_lock<std::mutex>& guard) {
    ++shared.sleeping;
    guard.unlock();
    driving_here = &mine;
    shared.io->wait(shared.sleep_bound);
    driving_here = nullptr;
    mine.io_polled = std::chrono::steady_clock::now();
    guard.lock();
    --shared.sleeping;
  }
};

} // namespace et::actors::detail
