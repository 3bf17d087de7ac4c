#include "et/http/runtime.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>

#include "et/http/detail/runtime_state.hpp"

namespace et::http {

namespace {

// Callbacks are user code running on these threads. A throwing callback must
// not end the thread (every later request would hang), so run() is resumed.
void serve(boost::asio::io_context& io) {
  for (;;) {
    try {
      io.run();
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
  for (int i = 0; i < std::max(threads, 1); ++i)
    state_->threads.emplace_back([io = &state_->io] { serve(*io); });
}

runtime::~runtime() {
  state_->work.reset();
  state_->io.stop();
  for (auto& t : state_->threads)
    t.join();
}

} // namespace et::http
