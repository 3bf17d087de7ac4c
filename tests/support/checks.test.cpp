#define CAF_SUITE support.checks
#include "caf/test/unit_test.hpp"

// The comparison checks keep every temporary of their arguments alive until they have compared
// them (tests/support/checks/caf/test/unit_test.hpp). With CAF's own macros each check below
// reads a value whose owner is already gone: -1 in a plain build, stack-use-after-scope under
// ASan.

namespace {

// Like result<T>: a value reached through operator->, gone with its holder.
struct boxed {
  int value = 7;
  // A store to a dying object may be optimised away; a volatile one may not.
  ~boxed() { *static_cast<volatile int*>(&value) = -1; }
};

struct holder {
  boxed inside;
  const boxed* operator->() const { return &inside; }
};

holder make() {
  return {};
}

} // namespace

CAF_TEST(checks compare members of temporaries while they live) {
  CAF_CHECK_EQUAL(make()->value, 7);
  CAF_CHECK_NOT_EQUAL(make()->value, -1);
  CAF_CHECK_GREATER(make()->value, 6);
  CAF_CHECK_LESS_OR_EQUAL(7, make()->value);
  CAF_REQUIRE_EQUAL(make()->value, 7);
  CAF_REQUIRE_GREATER_OR_EQUAL(make()->value, 7);
}

CAF_TEST(checks evaluate their operands left to right) {
  int n = 0;
  auto next = [&n] { return ++n; };
  CAF_CHECK_LESS(next(), next());           // 1 < 2
  CAF_REQUIRE_GREATER(next() + 10, next()); // 13 > 4
}
