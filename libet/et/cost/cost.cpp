#include "et/cost/cost.hpp"

#include <algorithm>
#include <cmath>

#include "et/llm/plausible.hpp"

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

bool plausible_price(const model_price& p) {
  for (double per_token :
       {p.input_per_token, p.output_per_token, p.cache_read_per_token, p.cache_write_per_token})
    if (!std::isfinite(per_token) || per_token < 0)
      return false;
  return true;
}

std::optional<double> cost_usd(const usage& tokens, const std::optional<model_price>& price) {
  if (!price || !plausible_price(*price))
    return std::nullopt;
  return plausible_usd(cost_usd(plausible(tokens), *price));
}

void spend::add(const usage& tokens, std::optional<double> cost, bool ok, bool estimated) {
  // Counts saturate like the sums: a summary already at the top (a hostile ledger
  // row) must not wrap to a negative count (UBSan: signed overflow).
  requests = saturating_add(requests, 1);
  if (!ok)
    failures = saturating_add(failures, 1);
  if (estimated) {
    estimated_requests = saturating_add(estimated_requests, 1);
    estimated_usd += plausible_usd(cost).value_or(0);
    return;
  }
  // Whatever the caller read (a ledger row, a node's report), a lie is not summed.
  auto t = plausible(tokens);
  prompt_tokens = saturating_add(prompt_tokens, t.prompt_tokens);
  completion_tokens = saturating_add(completion_tokens, t.completion_tokens);
  cache_read_tokens = saturating_add(cache_read_tokens, t.cache_read_tokens);
  cache_write_tokens = saturating_add(cache_write_tokens, t.cache_write_tokens);
  reasoning_tokens = saturating_add(reasoning_tokens, t.reasoning_tokens);
  if (auto checked = plausible_usd(cost)) {
    usd += *checked;
  } else if (ok || t != usage{}) { // a refused request that used no token cost nothing (an
                                   // answer that reported no usage still cost something)
    has_unpriced = true;
    unpriced_requests = saturating_add(unpriced_requests, 1);
  }
}

spend& spend::operator+=(const spend& other) {
  requests = saturating_add(requests, other.requests);
  failures = saturating_add(failures, other.failures);
  prompt_tokens = saturating_add(prompt_tokens, other.prompt_tokens);
  completion_tokens = saturating_add(completion_tokens, other.completion_tokens);
  cache_read_tokens = saturating_add(cache_read_tokens, other.cache_read_tokens);
  cache_write_tokens = saturating_add(cache_write_tokens, other.cache_write_tokens);
  reasoning_tokens = saturating_add(reasoning_tokens, other.reasoning_tokens);
  if (std::isfinite(other.usd) && other.usd >= 0)
    usd += other.usd;
  has_unpriced = has_unpriced || other.has_unpriced;
  unpriced_requests = saturating_add(unpriced_requests, other.unpriced_requests);
  if (std::isfinite(other.estimated_usd) && other.estimated_usd >= 0)
    estimated_usd += other.estimated_usd;
  estimated_requests = saturating_add(estimated_requests, other.estimated_requests);
  return *this;
}

bool likely_billed(const failure& f, uint64_t streamed_bytes) {
  // A 2xx answer that did not decode (bad_response) was most likely made, and paid for.
  if (streamed_bytes > 0 || f.billed || f.code == errc::stream_interrupted
      || f.code == errc::bad_response)
    return true;
  return f.code == errc::timeout && !f.unsent && f.http_status != 408;
}

} // namespace et::cost
