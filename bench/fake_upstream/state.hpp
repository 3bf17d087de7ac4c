#pragma once
/// What a server's sessions share: the options, the fault picker and the
/// counters. Internal to the fake upstream.

#include <array>
#include <atomic>
#include <cstdint>

#include "faults.hpp"
#include "holds.hpp"
#include "options.hpp"
#include "request.hpp"
#include "served.hpp"

namespace et::fake::detail {

/// Number of fault values.
inline constexpr size_t fault_count = 13;

/// Lock-free counters, read by server::snapshot().
struct counters {
  std::atomic<uint64_t> connections{0};                            ///< accepted
  std::atomic<uint64_t> refused{0};                                ///< closed at once
  std::array<std::atomic<uint64_t>, endpoint_count> by_endpoint{}; ///< requests per endpoint
  std::array<std::atomic<uint64_t>, fault_count> by_fault{};       ///< faults per kind
};

/// State shared by all sessions of one server.
struct server_state {
  /// Copies the options and seeds the fault picker from them.
  explicit server_state(const options& o) : opts(o), faults(o) {}
  options opts;                     ///< configuration
  fault_picker faults;              ///< fault decisions
  counters count;                   ///< statistics
  hold_list holds;                  ///< streams waiting for POST /fake/release
  served_tally served;              ///< answers sent in full: what a provider would bill
  std::atomic<uint64_t> next_id{1}; ///< response and request id numbers
  std::atomic<uint64_t> hold_draws{0}; ///< streams that x-fake-hold could have stopped
};

} // namespace et::fake::detail
