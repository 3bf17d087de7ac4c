#pragma once
/// A timer for deadlines that move at every step of a connection and rarely
/// pass (implementation header: includes Asio).
///
/// Re-arming an Asio timer at each read and write costs a run of the cancelled
/// wait's handler and, whenever the timer becomes its io_context's earliest, a
/// timerfd_settime system call: three of each per request on a keep-alive
/// connection. A lazy timer instead keeps one wait pending for the earliest
/// deadline it was asked for; its owner moves its deadlines freely (plain
/// stores) and, when the wait ends, looks at them and either acts (a deadline
/// passed) or waits again for the next one.

#include <chrono>

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>

namespace et::http::detail {

/// One pending wait at most, for the earliest deadline asked for.
class lazy_timer {
public:
  /// The clock of every deadline.
  using clock = std::chrono::steady_clock;
  /// No deadline.
  static constexpr clock::time_point never = clock::time_point::max();

  /// A timer on `ex` (the owner's strand: the owner's `wake` runs there).
  template <class Executor>
  explicit lazy_timer(const Executor& ex) : timer_(ex) {}

  /// Runs `wake` (which must keep the owner alive) at `deadline` or earlier;
  /// nothing when a wait ending no later is pending already, or for never.
  template <class Wake>
  void wake_by(clock::time_point deadline, Wake wake) {
    if (deadline == never || (at_ != never && at_ <= deadline))
      return;
    at_ = deadline;
    timer_.expires_at(deadline); // a wait pending for later ends as aborted
    timer_.async_wait([this, wake = std::move(wake)](const boost::system::error_code& ec) mutable {
      if (ec == boost::asio::error::operation_aborted)
        return; // replaced by a sooner wait (which set at_), or cancelled
      at_ = never;
      wake();
    });
  }

  /// Ends the pending wait without a wake (the owner is done).
  void cancel() {
    at_ = never;
    timer_.cancel();
  }

private:
  boost::asio::steady_timer timer_;
  clock::time_point at_ = never; ///< when the pending wait ends; never: none pending
};

} // namespace et::http::detail
