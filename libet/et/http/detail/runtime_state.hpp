#pragma once
/// The io_context behind et::http::runtime (implementation header: includes Asio).

#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace et::http::detail {

/// What a runtime owns; the io_context is declared first so it dies last.
struct runtime_state {
  /// The shared io_context; its concurrency hint is the thread count.
  boost::asio::io_context io;
  /// Keeps run() from returning while no request is in flight.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  /// The threads running `io`.
  std::vector<std::thread> threads;

  /// An io_context tuned for `thread_count` threads (threads are started by the runtime).
  explicit runtime_state(int thread_count)
      : io(thread_count), work(boost::asio::make_work_guard(io)) {}
};

} // namespace et::http::detail
