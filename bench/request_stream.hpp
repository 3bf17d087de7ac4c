#pragma once
// The streamed half of the request bench (request.cpp): one stream at a time,
// direct through provider::http_provider and through the router; time to
// first token, to the end, and the pieces a stream came in.

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
  double total_p50_us = 0; ///< start to last piece
  double pieces = 0;       ///< pieces per stream, mean (events that arrive together are one)
  /// (last piece - first piece) / (pieces - 1), median over the streams of two or more pieces
  double gap_p50_us = 0;
  int pace = 0; ///< the upstream's tokens per second (0: unpaced)
  int64_t errors = 0;
};

/// Direct streams, one at a time, timed in the client's callbacks; a stream
/// whose text is not the fake upstream's `tokens` words, in order, counts as an error.
stream_result stream_direct(et::provider::http_provider& p, const et::chat_request& req,
                            int tokens);

/// Routed streams, one at a time, timed in a driver actor.
stream_result stream_routed(caf::actor_system& sys, et::actors::router_actor router,
                            const et::role_request& req, int tokens);

} // namespace request_bench
