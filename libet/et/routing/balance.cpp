#include "et/routing/balance.hpp"

#include <algorithm>
#include <numeric>

namespace et::routing {

std::vector<size_t> balance_order(const std::vector<member_load>& members, uint64_t turn) {
  std::vector<size_t> order(members.size());
  std::iota(order.begin(), order.end(), size_t{0});
  if (members.empty())
    return order;
  auto n = members.size();
  auto first = static_cast<size_t>(turn % n);
  // Position in this turn's rotation: `first` is 0, the member before it n-1.
  auto place = [&](size_t i) { return (i + n - first) % n; };
  auto capacity = [&](size_t i) { return int64_t{std::max(members[i].capacity, 1)}; };
  auto load = [&](size_t i) { return int64_t{std::max(members[i].in_flight, 0)}; };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    // in_flight/capacity compared without division: exact, no rounding.
    auto left = load(a) * capacity(b);
    auto right = load(b) * capacity(a);
    if (left != right)
      return left < right;
    return place(a) < place(b);
  });
  return order;
}

} // namespace et::routing
