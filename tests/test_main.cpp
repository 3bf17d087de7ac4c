// The CAF test runner's main(); compiled once into et_test_main.
#include "caf/test/unit_test_impl.hpp"
