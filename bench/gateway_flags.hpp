#pragma once
/// et-bench-gateway's flags: its usage line and its numeric flags, each checked.

#include <cstdint>
#include <optional>
#include <vector>

namespace et::bench::gateway {

/// The flags after the program name, as its usage line shows them.
extern const char* const usage_text;

/// The numeric flags, each checked: a mistyped value is an error, never a default.
struct numbers {
  std::vector<int> levels{1, 8, 64}; ///< concurrency levels
  double seconds = 3;                ///< per row
  int64_t hold = 0;                  ///< streams to hold open at once
  int64_t hold_prompt = 0; ///< bytes of prompt in each held request (a coding agent's: 100 KB+)
  int64_t cpus = 0;        ///< `et serve --cpus` for the gateway; 0: its own choice
  /// Milliseconds each client waits after an answer before its next request (an agent that
  /// reads and thinks between calls: every request then meets threads that went idle).
  int64_t gap_ms = 0;
};

/// The numeric flags (and the shape of --other and --other-header); nullopt after saying on
/// stderr which one is wrong.
std::optional<numbers> read_numbers(int argc, char** argv);

} // namespace et::bench::gateway
