#pragma once
/// The I/O runtime of the HTTP client (and, when driven, of the gateway's server): one
/// asio::io_context and the threads that run it: its own, or its owner's. Kept behind a
/// pimpl so this header stays free of Asio.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace et::http {

namespace detail {
struct runtime_state;
} // namespace detail

/// Owns the io_context every http::client of a process shares, and its
/// threads. Every client made on a runtime must be destroyed before it.
/// Destroying a runtime stops its threads at once: exchanges still in flight
/// are abandoned without their on_done being called.
class runtime {
public:
  /// Picks the constructor of a runtime whose owner's threads run it.
  struct driven_t {};
  /// The tag for that constructor.
  static constexpr driven_t driven{};

  /// Starts `threads` I/O threads (at least one).
  explicit runtime(int threads = 1);
  /// A runtime with no thread of its own: up to `drivers` threads of its owner run its
  /// handlers through poll() and wait() (et's actor workers, so that an I/O completion and the
  /// actor it wakes run on one thread, without a hand-off). Until someone does, nothing runs,
  /// and a thread waiting for an exchange on it (send_whole) waits for good.
  runtime(driven_t, int drivers);
  /// Stops the io_context and joins the threads; on one of those threads (the last owner let
  /// go in a callback), a detached reaper joins them and frees the rest instead.
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Whether its owner's threads run it (made with `driven`).
  bool is_driven() const noexcept { return driven_; }
  /// How many threads may drive it at once (made with `driven`), or its own threads.
  int drivers() const noexcept { return drivers_; }
  /// Marks a driven runtime as taken by one owner (one actor scheduler); false if it is not
  /// driven or another owner took it already (two would take each other's wake-ups).
  bool claim() noexcept;
  /// Runs one handler that is ready now, without blocking; whether one ran. A handler that
  /// throws is reported on stderr and counts as run (as on the runtime's own threads, the
  /// thread lives on).
  bool poll_one();
  /// Runs the handlers that are ready now (and those they make ready), without blocking;
  /// how many ran.
  std::size_t poll();
  /// Blocks until one handler ran or `bound` passed.
  void wait(std::chrono::microseconds bound);
  /// Runs `f` on a thread that runs the runtime, soon; for a driven one, that makes one
  /// wait() return (one blocked now, or else the next to begin) or runs in a poll().
  void post(std::function<void()> f);

  /// Internal: the io_context and its threads, for the client implementation.
  detail::runtime_state& state() noexcept { return *state_; }

private:
  std::unique_ptr<detail::runtime_state> state_;
  bool driven_ = false;
  int drivers_ = 1;
  std::atomic<bool> claimed_{false};
};

} // namespace et::http
