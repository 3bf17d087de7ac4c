#define CAF_SUITE libet.routing.balance
#include "caf/test/unit_test.hpp"

#include "et/routing/balance.hpp"

using namespace et::routing;

namespace {

using order = std::vector<size_t>;

} // namespace

CAF_TEST(an empty group has no order) {
  CAF_CHECK(balance_order({}, 3).empty());
}

CAF_TEST(the least loaded member leads and the others follow by load) {
  std::vector<member_load> group{{3, 1}, {0, 1}, {1, 1}};
  CAF_CHECK_EQUAL(balance_order(group, 0), (order{1, 2, 0}));
}

CAF_TEST(idle members take turns) {
  std::vector<member_load> group{{0, 1}, {0, 1}, {0, 1}};
  CAF_CHECK_EQUAL(balance_order(group, 0), (order{0, 1, 2}));
  CAF_CHECK_EQUAL(balance_order(group, 1), (order{1, 2, 0}));
  CAF_CHECK_EQUAL(balance_order(group, 2), (order{2, 0, 1}));
  CAF_CHECK_EQUAL(balance_order(group, 3), (order{0, 1, 2}));
}

CAF_TEST(load counts relative to capacity) {
  // Two in flight of four is half loaded; one of one is full.
  std::vector<member_load> group{{1, 1}, {2, 4}};
  CAF_CHECK_EQUAL(balance_order(group, 0), (order{1, 0}));
  // Equal ratios (1/2 and 2/4) take turns like idle members.
  std::vector<member_load> even{{1, 2}, {2, 4}};
  CAF_CHECK_EQUAL(balance_order(even, 1), (order{1, 0}));
}

CAF_TEST(a member past its capacity is still tried last) {
  std::vector<member_load> group{{5, 1}, {1, 1}};
  CAF_CHECK_EQUAL(balance_order(group, 0), (order{1, 0}));
}

CAF_TEST(nonsense loads and capacities count as zero and one) {
  std::vector<member_load> group{{-4, 0}, {1, -2}};
  CAF_CHECK_EQUAL(balance_order(group, 0), (order{0, 1}));
}
