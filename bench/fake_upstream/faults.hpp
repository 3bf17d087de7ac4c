#pragma once
/// Deciding which fault, if any, a request gets: an explicit x-fake-fault,
/// the "fail the first N" counters, or the server-wide default drawn with a
/// seeded generator so a run can be repeated.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "options.hpp"

namespace et::fake {

/// The per-request inputs of the decision, read from x-fake-* headers.
struct fault_request {
  std::optional<fault> explicit_fault; ///< x-fake-fault
  std::optional<int64_t> fail_first;   ///< x-fake-fail-first
  std::string key;                     ///< x-fake-key, else the model (else the endpoint)
};

/// Thread-safe fault decisions for one server.
class fault_picker {
public:
  /// Uses the options' default fault, probability, seed and fail_first settings.
  explicit fault_picker(const options& opts);

  /// The fault for one request. With fail-first N in force, the first N
  /// requests of a key get the explicit fault (or options::fail_first_fault)
  /// and later ones none; otherwise the explicit fault wins over the default.
  fault pick(const fault_request& r);

  /// Whether a fresh connection should be refused (default fault refuse, no mix).
  bool refuse_connection();

private:
  bool draw(uint64_t& n);

  fault default_fault_;
  std::vector<fault> mix_;
  double probability_;
  uint64_t seed_;
  int64_t fail_first_;
  fault fail_first_fault_;
  std::atomic<uint64_t> draws_{0};
  std::mutex mtx_;
  std::unordered_map<std::string, int64_t> seen_; ///< requests per fail-first key
};

} // namespace et::fake
