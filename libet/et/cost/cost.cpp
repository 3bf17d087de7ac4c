#include "et/cost/cost.hpp"

#include <algorithm>

namespace et::cost {

double cost_usd(const usage& tokens, const model_price& price) {
  // Providers that report cache tokens inconsistently could make the
  // difference negative; a negative charge would hide real spend.
  auto uncached = std::max<int64_t>(0, tokens.prompt_tokens - tokens.cache_read_tokens
                                           - tokens.cache_write_tokens);
  return static_cast<double>(uncached) * price.input_per_token
         + static_cast<double>(tokens.cache_read_tokens) * price.cache_read_per_token
         + static_cast<double>(tokens.cache_write_tokens) * price.cache_write_per_token
         + static_cast<double>(tokens.completion_tokens) * price.output_per_token;
}

std::optional<double> cost_usd(const usage& tokens, const std::optional<model_price>& price) {
  if (!price)
    return std::nullopt;
  return cost_usd(tokens, *price);
}

void spend::add(const usage& tokens, std::optional<double> cost, bool ok) {
  ++requests;
  if (!ok)
    ++failures;
  prompt_tokens += tokens.prompt_tokens;
  completion_tokens += tokens.completion_tokens;
  cache_read_tokens += tokens.cache_read_tokens;
  cache_write_tokens += tokens.cache_write_tokens;
  reasoning_tokens += tokens.reasoning_tokens;
  if (cost) {
    usd += *cost;
  } else {
    has_unpriced = true;
    ++unpriced_requests;
  }
}

spend& spend::operator+=(const spend& other) {
  requests += other.requests;
  failures += other.failures;
  prompt_tokens += other.prompt_tokens;
  completion_tokens += other.completion_tokens;
  cache_read_tokens += other.cache_read_tokens;
  cache_write_tokens += other.cache_write_tokens;
  reasoning_tokens += other.reasoning_tokens;
  usd += other.usd;
  has_unpriced = has_unpriced || other.has_unpriced;
  unpriced_requests += other.unpriced_requests;
  return *this;
}

} // namespace et::cost
