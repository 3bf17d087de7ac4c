#define CAF_SUITE libet.wire.openai
#include "caf/test/unit_test.hpp"

CAF_TEST(placeholder) {
  CAF_CHECK(true);
}
