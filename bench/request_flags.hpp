#pragma once
// The request bench's own flags (request.cpp): which scheduler, which paths,
// which concurrency levels.

#include <optional>
#include <vector>

#include "et/actors/system_setup.hpp"

namespace request_bench {

/// The highest concurrency level, and the last of the default ones.
inline constexpr int max_concurrency = 64;

/// `--scheduler stealing|sharing|handoff` (default: et's); nullopt for another word.
std::optional<et::actors::scheduling> scheduler_flag(int argc, char** argv);

/// Which paths `--rows direct|router|both` asks to measure.
struct rows_wanted {
  bool direct = true; ///< straight through provider::http_provider
  bool router = true; ///< through the router actor
};

/// `--rows` (default both); nullopt for another word.
std::optional<rows_wanted> rows_flag(int argc, char** argv);

/// `--concurrency N` (1 to max_concurrency): that level only; default 1, 8 and 64. Empty on
/// a bad value.
std::vector<int> levels_flag(int argc, char** argv);

} // namespace request_bench
