#pragma once
/// The actor system's set-up that et and its benchmarks share: et's message types and the
/// scheduler (how many workers, how an idle worker waits for work).

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

namespace caf {
class actor_system_config;
} // namespace caf

namespace et::http {
class runtime;
} // namespace et::http

namespace et::actors {

/// How CAF's workers find and wait for work.
enum class scheduling {
  /// CAF's default, work stealing: a worker's own queue, and an idle worker polls it, sleeping
  /// 50 us between polls for its first ~25 ms idle and then waiting on a condition variable
  /// (woken by a sender, or every 10 ms to steal), so a message sent to a worker idle for a
  /// moment waits out that sleep. Kept to measure against (et-bench-request --scheduler).
  stealing,
  /// CAF's work sharing: one queue for all workers; an idle worker sleeps on a condition
  /// variable and whoever enqueues wakes it at once. Each hop of a request (router, provider
  /// actor and back) costs a wake-up of another worker instead of a poll interval.
  sharing,
  /// et's own (detail/handoff_policy.hpp): work sharing where an actor woken by a message
  /// from a worker runs next on that same worker, so a chain of hops needs no wake-ups:
  /// et's choice.
  handoff,
};

/// The scheduler et uses.
constexpr scheduling default_scheduling = scheduling::handoff;

/// The number of scheduler workers et runs unless told otherwise (`et serve` sizes them for
/// its cores: util::plan_threads): CAF's own default is one per core, at least 4, which on
/// small machines means more busy threads than cores.
constexpr std::size_t scheduler_threads = 2;

/// The most messages an actor handles in one turn when the workers run I/O as well.
constexpr std::size_t max_throughput_with_io = 256;

/// "stealing", "sharing" or "handoff"; nullopt for any other word.
std::optional<scheduling> parse_scheduling(std::string_view word);

/// The word parse_scheduling reads as `how`.
std::string_view name_of(scheduling how);

/// Adds et's message types to `cfg` and sets its scheduler: `workers` workers, `how`. Given
/// `io` (a runtime made with http::runtime::driven for at least `workers` drivers, and not
/// driven by another scheduler), the workers also run its I/O, so a completion and the actor
/// it wakes share a thread; an actor's turn then ends after max_throughput_with_io messages.
/// Anything else throws std::invalid_argument, as does `io` with a scheduling other than
/// handoff. The runtime lives at least as long as the scheduler. The runtime is taken here,
/// when the config is made: `cfg` is for one actor system.
void prepare_system(caf::actor_system_config& cfg, scheduling how = default_scheduling,
                    std::size_t workers = scheduler_threads,
                    std::shared_ptr<http::runtime> io = nullptr);

} // namespace et::actors
