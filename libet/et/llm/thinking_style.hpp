#pragma once
/// How a model takes thinking, apart from chat.hpp so that configuration (an alias says it)
/// need not see every value type.

#include <cstdint>

namespace et {

/// How a model takes thinking (its alias's `thinking`); et sends nothing to one it does not
/// know, since each model takes only some of the ways.
enum class thinking_style : uint8_t {
  unknown,  ///< not configured: nothing is sent
  adaptive, ///< Anthropic {"type": "adaptive"}: the model decides how much
  budget,   ///< Anthropic {"type": "enabled", "budget_tokens": n}
};

} // namespace et
