#pragma once
/// How et's SQLite stores wait for other processes sharing their file.

#include <chrono>
#include <functional>

namespace et::store {

/// How long one statement waits for another process's write lock, and how often a write
/// that still found the file locked is tried again. A record is spend: it is retried for
/// about a minute (12 attempts of 5 s plus pauses) before the store gives up on it.
struct sqlite_wait {
  std::chrono::milliseconds busy{5000}; ///< SQLite's busy timeout per statement
  int attempts = 12;                    ///< tries of one write in all (1: no retry)
  /// Runs between attempts (`attempt` counts from 1); empty: sleeps 100 ms x attempt.
  std::function<void(int attempt)> pause;
};

} // namespace et::store
