#pragma once
/// Summaries of spend: calls added one by one, totals by role, provider and
/// model, and their rendering in dollars for `et cost` and the end of a run.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "et/cost/cost.hpp"
#include "et/llm/chat.hpp"

namespace et::cost {

/// One call as the ledger records it.
struct call_record {
  std::string role;                     ///< the role that asked ("mayor", "polecat", ...)
  std::string alias;                    ///< the model alias used ("" for provider/model references)
  std::string provider;                 ///< provider name under `providers`
  std::string model;                    ///< the provider's model id
  usage tokens;                         ///< token counts reported (zero when none)
  std::optional<double> usd;            ///< cost, std::nullopt when the model is unpriced
  bool ok = true;                       ///< whether the call succeeded
  std::chrono::milliseconds latency{0}; ///< from sending to the last byte
  int attempt = 1;                      ///< 1-based attempt number on this deployment
  std::string outcome;                  ///< "ok" or the errc name
  int64_t unix_ms = 0;                  ///< when it finished, ms since the Unix epoch
  /// Whether tokens and cost are an estimate: the router records usage with a failed attempt
  /// only as its estimate (providers report it only with an answer).
  bool estimated() const { return !ok && (tokens != usage{} || usd.value_or(0) > 0); }
  /// Field-wise equality.
  bool operator==(const call_record&) const = default;
};

/// Running totals of calls; keeps sums, not the calls themselves.
class summary {
public:
  /// Counts one call in the total and under its role, provider and model.
  void add(const call_record& call);

  /// Everything added.
  const spend& total() const { return total_; }
  /// By role name.
  const std::map<std::string, spend>& by_role() const { return roles_; }
  /// By provider name.
  const std::map<std::string, spend>& by_provider() const { return providers_; }
  /// By the provider's model id (the same id on two providers is one row).
  const std::map<std::string, spend>& by_model() const { return models_; }
  /// True before the first add().
  bool empty() const { return total_.requests == 0; }

private:
  spend total_;
  std::map<std::string, spend> roles_;
  std::map<std::string, spend> providers_;
  std::map<std::string, spend> models_;
};

/// Dollars for people: "$12.50" from $1 up, up to four decimals below
/// ("$0.0042", "$0.50"), two significant digits below $0.0001 ("$0.0000042"),
/// "$0.00" for zero.
std::string format_usd(double usd);

/// format_usd(*usd), or "unpriced".
std::string format_usd(std::optional<double> usd);

/// The cost of a sum: "$0.12", "$0.12 (+2 unpriced)" when some calls have no
/// price, "unpriced" when none has.
std::string format_cost(const spend& s);

/// "estimated: about $X more for N attempts that ended without usage ..." (one line) when
/// `s` has estimated spend, else "".
std::string estimated_note(const spend& s);

/// A text table of calls, tokens and cost by role, provider and model, with a
/// total, a note when some models are unpriced and the estimated_note().
std::string render_table(const summary& s);

} // namespace et::cost
