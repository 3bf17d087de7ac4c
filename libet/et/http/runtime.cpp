#include "et/http/runtime.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <thread>
#include <utility>

#include <boost/asio/post.hpp>

#include "et/http/detail/run_loop.hpp"
#include "et/http/detail/runtime_state.hpp"

namespace et::http {

namespace {

// Callbacks are user code. A throwing callback must not end the thread that runs it (every
// later request would hang, or a driving actor worker would die), so it is reported here.
template <class Run>
auto reporting(Run run) -> decltype(run()) {
  try {
    return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "et::http: a callback threw: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "et::http: a callback threw a non-standard exception\n");
  }
  return {};
}

// An own thread runs the io_context until it is stopped, resuming after a throwing callback.
void serve(boost::asio::io_context& io) {
  while (!reporting([&] {
    detail::run_polling(io);
    return true;
  }))
    continue;
}

} // namespace

runtime::runtime(int threads)
    : state_(std::make_unique<detail::runtime_state>(std::max(threads, 1))),
      drivers_(std::max(threads, 1)) {
  for (int i = 0; i < std::max(threads, 1); ++i) {
    state_->threads.emplace_back([io = &state_->io] { serve(*io); });
    detail::name_thread(state_->threads.back(), "et.http.client");
  }
}

runtime::runtime(driven_t, int drivers)
    : state_(std::make_unique<detail::runtime_state>(std::max(drivers, 1))), driven_(true),
      drivers_(std::max(drivers, 1)) {}

bool runtime::claim() noexcept {
  return driven_ && !claimed_.exchange(true);
}

runtime::~runtime() {
  state_->work.reset();
  state_->io.stop();
  auto& threads = state_->threads;
  auto self = std::this_thread::get_id();
  if (std::any_of(threads.begin(), threads.end(), [&](auto& t) { return t.get_id() == self; })) {
    // The last owner let go inside a callback (an actor that held a client died on this
    // thread): a thread cannot join itself, and the io_context must outlive the handler still
    // running on it. A reaper joins the threads once they are out and frees the state.
    std::thread{[state = std::move(state_)] {
      for (auto& t : state->threads)
        t.join();
    }}.detach();
    return;
  }
  for (auto& t : threads)
    t.join();
}

bool runtime::poll_one() {
  bool ran = true; // unless poll_one returns: a handler that throws ran
  reporting([&] {
    ran = state_->io.poll_one() > 0;
    return true;
  });
  return ran;
}

std::size_t runtime::poll() {
  std::size_t ran = 0;
  while (poll_one())
    ++ran;
  return ran;
}

void runtime::wait(std::chrono::microseconds bound) {
  reporting([&] { return state_->io.run_one_for(bound); });
}

void runtime::post(std::function<void()> f) {
  boost::asio::post(state_->io, std::move(f));
}

} // namespace et::http
