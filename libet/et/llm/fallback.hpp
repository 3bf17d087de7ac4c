#pragma once
/// Fallbacks as data: when a call is answered by another deployment than the
/// one it was meant for (the primary refused the key, was rate limited,
/// overloaded, the prompt did not fit, ...), the router and the pool record
/// each step with its typed reason. The reason stays an errc until the text
/// boundary (stderr, journal, JSON); messages were scrubbed at the provider.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "et/llm/errc.hpp"

namespace et {

/// One fallback taken: `from` did not answer because of `reason`, so the call
/// moved on to `to`.
struct fallback_taken {
  std::string from;                 ///< who was passed over: alias, alias@node or provider/model
  std::string to;                   ///< who was tried next ("" = nobody was left)
  errc reason = errc::server_error; ///< why `from` did not answer
  int http_status = 0;              ///< the HTTP status when known, else 0
  bool skipped = false;             ///< not tried at all: cooling down after `reason`, or down
  std::string message;              ///< the provider's (scrubbed) message, for the journal
  bool operator==(const fallback_taken&) const = default;
};

/// The reason for people: "authentication failed", "rate limited", "context too long".
std::string reason_text(errc reason);

/// One line for stderr, without a newline:
/// "claude-sonnet: 401 authentication failed; answered by gpt4o" when `to`
/// gave the answer (`answered`), "...; fell back to gpt4o" otherwise, and
/// "claude-sonnet: skipped (cooling down after 401 authentication failed); ..."
/// for a deployment not tried because it failed recently.
std::string describe(const fallback_taken& f, bool answered);

/// Fallbacks counted by reason.
using fallback_counts = std::map<errc, int>;

/// Adds `taken` to `counts`.
void count_fallbacks(fallback_counts& counts, const std::vector<fallback_taken>& taken);

/// "2 fallbacks: 1 auth, 1 rate_limited" ("" when there were none).
std::string counts_text(const fallback_counts& counts);

} // namespace et
