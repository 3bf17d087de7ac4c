#pragma once
/// Bounds on what an upstream (a provider, a node, a journal on disk) may
/// claim about usage and cost. Counts and dollars come from bytes et does not
/// control; a negative count or a NaN cost must never reach a sum, and sums
/// must never wrap.

#include <cstdint>
#include <optional>

#include "et/llm/chat.hpp"

namespace et {

/// The largest token count one exchange may report (10^12, a thousand times
/// any context window): more is a lie or a bug.
inline constexpr int64_t max_token_count = 1'000'000'000'000;

/// The largest cost in USD one record may carry.
inline constexpr double max_usd = 1e12;

/// Whether `n` is a token count et believes: 0 to max_token_count.
bool plausible_count(int64_t n);

/// `u` with each implausible count replaced by 0.
usage plausible(const usage& u);

/// `usd` when it is finite, not negative and at most max_usd; nullopt
/// otherwise (unknown, as an unpriced call).
std::optional<double> plausible_usd(std::optional<double> usd);

/// a + b, saturating at INT64_MIN / INT64_MAX instead of wrapping.
int64_t saturating_add(int64_t a, int64_t b);

} // namespace et
