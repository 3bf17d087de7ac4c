#pragma once
/// Idle keep-alive connections per origin (implementation header).

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "et/http/detail/connection.hpp"

namespace et::http::detail {

/// A bounded store of idle connections keyed by origin ("https://host:port").
/// Thread-safe; a connection is owned by exactly one session or by the pool.
class pool {
public:
  /// Keeps at most `max_idle` connections per origin, none older than `max_age`.
  pool(std::size_t max_idle, std::chrono::milliseconds max_age);

  /// The most recently used healthy idle connection of `origin`, or null.
  /// Connections the server closed, or that idled too long, are dropped.
  std::unique_ptr<connection> acquire(const std::string& origin);

  /// Returns a connection after a complete exchange; closed when the origin
  /// already keeps `max_idle` connections.
  void release(const std::string& origin, std::unique_ptr<connection> c);

  /// Idle connections currently kept for `origin`.
  std::size_t idle(const std::string& origin) const;

private:
  std::size_t max_idle_;
  std::chrono::milliseconds max_age_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<std::unique_ptr<connection>>> idle_;
};

} // namespace et::http::detail
