#pragma once
/// The arithmetic of spend: the dollar cost of one exchange's usage, and a sum
/// of exchanges that keeps priced and unpriced calls apart.

#include <cstdint>
#include <optional>

#include "et/cost/prices.hpp"
#include "et/llm/chat.hpp"
#include "et/llm/errc.hpp"

namespace et::cost {

/// Whether a failed attempt was likely billed: it streamed something (`streamed_bytes`), broke
/// off mid-stream, ran out of time after it was sent (the provider was working on it; not a
/// server's 408, which says it waited for us), was answered with a body that did not decode
/// (bad_response), or was a request that says so of itself (a node's final failure). Refused, unreachable and never-sent attempts were not.
bool likely_billed(const failure& f, uint64_t streamed_bytes);

/// The cost in USD of `tokens` at `price`. prompt_tokens includes the cached
/// tokens, so the uncached part is prompt - cache_read - cache_write (never
/// below 0); completion_tokens includes reasoning and is billed as output.
double cost_usd(const usage& tokens, const model_price& price);

/// As above, or std::nullopt when the model is unpriced, a price is negative
/// or not finite, or the result is not a plausible cost (et/llm/plausible.hpp).
std::optional<double> cost_usd(const usage& tokens, const std::optional<model_price>& price);

/// Calls and tokens summed over many exchanges, with their known cost.
struct spend {
  int64_t requests = 0;           ///< calls made, failed ones included
  int64_t failures = 0;           ///< calls that did not succeed
  int64_t prompt_tokens = 0;      ///< input tokens, cached ones included
  int64_t completion_tokens = 0;  ///< output tokens, reasoning included
  int64_t cache_read_tokens = 0;  ///< of prompt_tokens, read from the cache
  int64_t cache_write_tokens = 0; ///< of prompt_tokens, written to the cache
  int64_t reasoning_tokens = 0;   ///< of completion_tokens, spent thinking
  double usd = 0;                 ///< cost of the priced calls
  bool has_unpriced = false;      ///< some calls have no price: usd is a lower bound
  int64_t unpriced_requests = 0;  ///< how many
  /// Failed calls the provider likely billed though it reported no usage (a timeout or a
  /// stream that broke after it read the prompt): their estimated cost, apart from `usd` and
  /// the token counts, which hold what providers reported.
  double estimated_usd = 0;
  int64_t estimated_requests = 0; ///< how many such calls

  /// Counts one call: its tokens, its cost (std::nullopt = unpriced), whether it succeeded
  /// and whether tokens and cost are an estimate (counted in estimated_usd and
  /// estimated_requests only). Implausible counts add 0 and an implausible cost counts as
  /// unpriced; sums saturate instead of wrapping.
  void add(const usage& tokens, std::optional<double> cost, bool ok, bool estimated = false);

  /// Adds another sum.
  spend& operator+=(const spend& other);

  /// Field-wise equality.
  bool operator==(const spend&) const = default;
};

} // namespace et::cost
