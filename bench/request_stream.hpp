#pragma once
// The streamed half of the request bench (request.cpp): one stream at a time,
// direct through provider::http_provider and through the router; time to
// first token and the gap between chunks.

#include <chrono>
#include <string>

#include "caf/fwd.hpp"
#include "et/actors/interfaces.hpp"
#include "et/provider/http_provider.hpp"

namespace request_bench {

/// The bench's clock.
using clock_type = std::chrono::steady_clock;

/// Completions before this are not measured.
inline constexpr auto warmup = std::chrono::milliseconds{300};
/// How long each measurement runs after the warm-up.
inline constexpr auto window = std::chrono::milliseconds{2000};

/// A duration in microseconds.
inline double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

/// One row of the streamed table.
struct stream_result {
  std::string path;
  size_t streams = 0;
  double ttft_p50_us = 0;
  double ttft_p99_us = 0;
  double gap_p50_us = 0; ///< (last chunk - first chunk) / (chunks - 1), median over streams
  double total_p50_us = 0;
  double chunks = 0; ///< chunks per stream, mean
  int64_t errors = 0;
};

/// Direct streams, one at a time, timed in the client's callbacks.
stream_result stream_direct(et::provider::http_provider& p, const et::chat_request& req);

/// Routed streams, one at a time, timed in a driver actor.
stream_result stream_routed(caf::actor_system& sys, et::actors::router_actor router,
                            const et::role_request& req);

} // namespace request_bench
