#pragma once
/// The I/O runtime of the HTTP client: one asio::io_context and the few
/// threads that run it. Kept behind a pimpl so this header stays free of Asio.

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
  /// Starts `threads` I/O threads (at least one).
  explicit runtime(int threads = 1);
  /// Stops the io_context and joins the threads; on one of those threads (the last owner let
  /// go in a callback), a detached reaper joins them and frees the rest instead.
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  /// Internal: the io_context and its threads, for the client implementation.
  detail::runtime_state& state() noexcept { return *state_; }

private:
  std::unique_ptr<detail::runtime_state> state_;
};

} // namespace et::http
