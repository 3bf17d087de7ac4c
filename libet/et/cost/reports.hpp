#pragma once
/// What the ledger is asked and answers: budget questions before a request,
/// and the spend report of a run.

#include <cstdint>
#include <string>

#include "et/llm/chat.hpp"

namespace et::cost {

/// "May this request be sent?", asked before each attempt.
struct budget_query {
  std::string role;          ///< who asks
  std::string alias;         ///< alias of the deployment ("" for provider/model)
  std::string provider;      ///< provider name
  std::string model;         ///< model id
  int64_t prompt_tokens = 0; ///< estimated prompt size
  int64_t max_tokens = 0;    ///< completion limit (worst case)
  bool operator==(const budget_query&) const = default;
};

/// The spend of this process (one run) so far.
struct cost_report {
  double usd = 0;                 ///< priced spend
  int64_t requests = 0;           ///< calls recorded
  int64_t failures = 0;           ///< failed calls
  int64_t prompt_tokens = 0;      ///< input tokens
  int64_t completion_tokens = 0;  ///< output tokens
  int64_t unpriced_requests = 0;  ///< calls without a price
  std::string table;              ///< cost by role, provider and model, rendered
  double estimated_usd = 0;       ///< failed calls' estimated spend, apart from usd (spend)
  int64_t estimated_requests = 0; ///< how many
  bool operator==(const cost_report&) const = default;
};

/// Tokens a text of `bytes` bytes is estimated to take (a conservative 1 per 3 bytes).
inline int64_t estimate_tokens(size_t bytes) {
  return static_cast<int64_t>(bytes / 3 + 1);
}

/// Tokens a request's prompt is estimated to take: every text billed as input (turns, tool
/// calls and results, thinking, tool schemas, stop sequences, the answer's schema), and its
/// images and documents as cost/attachments.hpp estimates them.
int64_t estimate_prompt_tokens(const chat_request& req);

} // namespace et::cost
