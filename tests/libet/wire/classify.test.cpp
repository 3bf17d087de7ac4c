#define CAF_SUITE libet.wire.classify
#include "caf/test/unit_test.hpp"

CAF_TEST(placeholder) {
  CAF_CHECK(true);
}
