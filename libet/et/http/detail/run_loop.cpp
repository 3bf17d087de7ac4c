#include "et/http/detail/run_loop.hpp"

#include <pthread.h>

#include <thread>

namespace et::http::detail {

void name_thread(std::thread& t, const char* name) {
  ::pthread_setname_np(t.native_handle(), name);
}

void run_polling(boost::asio::io_context& io, std::chrono::microseconds spin) {
  using clock = std::chrono::steady_clock;
  auto idle_since = clock::now();
  while (!io.stopped()) {
    if (io.poll() > 0) {
      idle_since = clock::now();
      continue;
    }
    if (clock::now() - idle_since < spin) {
      std::this_thread::yield();
      continue;
    }
    // Blocks in the reactor until a handler ran; 0 once stopped or out of work.
    if (io.run_one() == 0)
      return;
    idle_since = clock::now();
  }
}

} // namespace et::http::detail
