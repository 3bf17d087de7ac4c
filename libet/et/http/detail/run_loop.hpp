#pragma once
/// How et's I/O threads run an io_context (implementation header: includes Asio).

#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>

namespace et::http::detail {

/// How long an I/O thread keeps polling after its last handler before it blocks in the
/// reactor. Work often comes back within tens of microseconds (an actor answering, the next
/// request of a busy client): polling catches it without the eventfd write and futex wake a
/// blocked thread needs, which cost more than the work on a small VM (et-bench-request: the
/// routed p50 at C=1 went from +71 to +9 us over direct with this and the scheduler's spin).
/// The price is at most this much CPU per burst of events, yielded to any other runnable
/// thread.
inline constexpr std::chrono::microseconds io_spin{50};

/// Names thread `t` (at most 15 bytes), so that top -H, perf and /proc tell et's pools apart;
/// done by its starter, so the name is there once the pool's start returns.
void name_thread(std::thread& t, const char* name);

/// Runs `io` on this thread like io.run(): until it is stopped or runs out of work. After
/// each handler it polls for up to `spin` before blocking. Exceptions from handlers pass.
void run_polling(boost::asio::io_context& io, std::chrono::microseconds spin = io_spin);

} // namespace et::http::detail
