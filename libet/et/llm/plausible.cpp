#include "et/llm/plausible.hpp"

#include <cmath>
#include <limits>

namespace et {

bool plausible_count(int64_t n) {
  return n >= 0 && n <= max_token_count;
}

usage plausible(const usage& u) {
  auto keep = [](int64_t n) { return plausible_count(n) ? n : 0; };
  return usage{keep(u.prompt_tokens), keep(u.completion_tokens), keep(u.cache_read_tokens),
               keep(u.cache_write_tokens), keep(u.reasoning_tokens)};
}

std::optional<double> plausible_usd(std::optional<double> usd) {
  if (!usd || !std::isfinite(*usd) || *usd < 0 || *usd > max_usd)
    return std::nullopt;
  return usd;
}

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum))
    return b < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  return sum;
}

} // namespace et
