#include "et/http/runtime.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <thread>

#include "et/http/detail/run_loop.hpp"
#include "et/http/detail/runtime_state.hpp"

namespace et::http {

namespace {

// Callbacks are user code running on these threads. A throwing callback must
// not end the thread (every later request would hang), so run() is resumed.
void serve(boost::asio::io_context& io) {
  for (;;) {
    try {
      detail::run_polling(io);
      return;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "et::http: a callback threw: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "et::http: a callback threw a non-standard exception\n");
    }
  }
}

} // namespace

runtime::runtime(int threads)
    : state_(std::make_unique<detail::runtime_state>(std::max(threads, 1))) {
  for (int i = 0; i < std::max(threads, 1); ++i) {
    state_->threads.emplace_back([io = &state_->io] { serve(*io); });
    detail::name_thread(state_->threads.back(), "et.http.client");
  }
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

} // namespace et::http
