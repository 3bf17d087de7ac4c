#pragma once
/// Budget checks made before a request is sent: would it cross the per-run,
/// per-day or per-role limit? Estimates are worst cases, so a request that
/// passes cannot overshoot by more than the estimate's error.

#include <cstdint>
#include <map>
#include <string>

#include "et/config/settings.hpp"
#include "et/cost/prices.hpp"

namespace et::cost {

/// Whether a request may be sent, and if not, which budget stops it.
struct budget_check {
  bool allowed = true; ///< false: do not send (errc::budget_exceeded)
  std::string reason;  ///< names the budget, the spend and the estimate; "" when allowed
};

/// Checks the next request, estimated at `estimated_next_usd`, against each
/// budget that is set, in order per_run, per_day, per_role[`role`]. A budget is
/// crossed when spent + estimate exceeds it (reaching it exactly is allowed).
/// A request estimated at $0 (a local model) is always allowed. `run_in_flight` and
/// `role_in_flight` are held for calls not settled yet: they count like spend and are named
/// apart in the reason, as nothing of them may have been spent yet.
budget_check check_budget(const config::budgets& budgets, double run_spent, double day_spent,
                          const std::map<std::string, double>& role_spent, const std::string& role,
                          double estimated_next_usd, double run_in_flight = 0,
                          double role_in_flight = 0);

/// The worst-case cost of a request: `prompt_tokens` uncached input plus a
/// completion of all `max_tokens`.
double estimate_request_usd(const model_price& price, int64_t prompt_tokens, int64_t max_tokens);

} // namespace et::cost
