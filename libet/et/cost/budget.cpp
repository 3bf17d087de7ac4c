#include "et/cost/budget.hpp"

#include <algorithm>

#include "et/cost/summary.hpp"

namespace et::cost {

namespace {

budget_check refuse(const std::string& name, double limit, double spent, double in_flight,
                    double next) {
  return {false, name + " " + format_usd(limit) + " would be exceeded: spent " + format_usd(spent)
                     + (in_flight > 0 ? " + held for calls in flight " + format_usd(in_flight)
                                      : std::string{})
                     + " + next ~" + format_usd(next)};
}

// A nano-dollar of slack keeps binary rounding (0.1 + 0.2 > 0.3) from
// refusing a request that lands exactly on the budget.
bool crosses(double limit, double spent, double next) {
  return spent + next > limit + 1e-9;
}

} // namespace

budget_check check_budget(const config::budgets& budgets, double run_spent, double day_spent,
                          const std::map<std::string, double>& role_spent, const std::string& role,
                          double estimated_next_usd, double run_in_flight, double role_in_flight) {
  // Budgets cap money: a free call cannot cross one, even after an earlier
  // (unpriced or underestimated) call went past it.
  if (estimated_next_usd <= 0)
    return {};
  auto next = estimated_next_usd;
  if (budgets.per_run && crosses(*budgets.per_run, run_spent + run_in_flight, next))
    return refuse("per_run budget", *budgets.per_run, run_spent, run_in_flight, next);
  if (budgets.per_day && crosses(*budgets.per_day, day_spent, next))
    return refuse("per_day budget", *budgets.per_day, day_spent, 0, next);
  if (auto limit = budgets.per_role.find(role); limit != budgets.per_role.end()) {
    auto spent = role_spent.find(role);
    double so_far = spent == role_spent.end() ? 0.0 : spent->second;
    if (crosses(limit->second, so_far + role_in_flight, next))
      return refuse("per_role budget for " + role, limit->second, so_far, role_in_flight, next);
  }
  return {};
}

double estimate_request_usd(const model_price& price, int64_t prompt_tokens, int64_t max_tokens) {
  return static_cast<double>(std::max<int64_t>(0, prompt_tokens)) * price.input_per_token
         + static_cast<double>(std::max<int64_t>(0, max_tokens)) * price.output_per_token;
}

} // namespace et::cost
