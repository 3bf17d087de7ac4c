#include "faults.hpp"

namespace et::fake {
namespace {

// splitmix64: one well-mixed value per draw index, so that the sequence of
// decisions depends only on the seed and the order of requests.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

} // namespace

fault_picker::fault_picker(const options& opts)
    : default_fault_(opts.default_fault), mix_(opts.fault_mix),
      probability_(opts.fault_probability), seed_(opts.seed), fail_first_(opts.fail_first),
      fail_first_fault_(opts.fail_first_fault) {}

bool fault_picker::draw(uint64_t& n) {
  n = draws_.fetch_add(1, std::memory_order_relaxed);
  if (probability_ >= 1.0)
    return true;
  auto unit = static_cast<double>(mix(seed_ ^ mix(n)) >> 11) * 0x1.0p-53;
  return unit < probability_;
}

fault fault_picker::pick(const fault_request& r) {
  int64_t first = r.fail_first.value_or(fail_first_);
  if (first > 0) {
    int64_t n = 0;
    {
      std::lock_guard guard{mtx_};
      n = ++seen_[r.key];
    }
    return n <= first ? r.explicit_fault.value_or(fail_first_fault_) : fault::none;
  }
  if (r.explicit_fault)
    return *r.explicit_fault;
  uint64_t n = 0;
  if (!mix_.empty()) // a second, independent value of the same draw picks the kind
    return draw(n) ? mix_[mix(seed_ ^ mix(n ^ 0x5eedULL)) % mix_.size()] : fault::none;
  // refuse acts at accept time; a request that got through is answered.
  if (default_fault_ == fault::none || default_fault_ == fault::refuse)
    return fault::none;
  return draw(n) ? default_fault_ : fault::none;
}

bool fault_picker::refuse_connection() {
  uint64_t n = 0;
  return mix_.empty() && default_fault_ == fault::refuse && draw(n);
}

} // namespace et::fake
