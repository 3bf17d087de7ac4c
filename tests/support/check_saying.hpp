#pragma once
/// ET_CHECK_SAYING, for suites whose failed checks need context printed.

#include "caf/test/unit_test.hpp"

/// CAF_CHECK that prints `msg` (a stream expression) when `cond` is false.
#define ET_CHECK_SAYING(cond, msg)                                                                 \
  do {                                                                                             \
    bool et_ok_ = static_cast<bool>(cond);                                                         \
    if (!et_ok_)                                                                                   \
      CAF_MESSAGE(msg);                                                                            \
    CAF_CHECK(et_ok_);                                                                             \
  } while (false)
