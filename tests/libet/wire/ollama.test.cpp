#define CAF_SUITE libet.wire.ollama
#include "caf/test/unit_test.hpp"

CAF_TEST(placeholder) {
  CAF_CHECK(true);
}
