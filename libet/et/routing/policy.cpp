#include "et/routing/policy.hpp"

#include <algorithm>
#include <cmath>

namespace et::routing {

milliseconds backoff(const config::retry& policy, int attempt, milliseconds retry_after,
                     double unit) {
  double base =
      static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, std::max(0, attempt - 1));
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  double spread = 1.0 + policy.jitter * (2.0 * unit - 1.0);
  auto delay = milliseconds{static_cast<int64_t>(std::llround(base * spread))};
  return std::max(delay, retry_after);
}

decision decide(const config::retry& policy, const failure& f, int attempts_made, double unit) {
  if (is_retryable(f.code) && attempts_made < policy.attempts) {
    // A server that asks for a longer pause than we are willing to wait is
    // better served by the next candidate.
    if (f.retry_after > policy.max_wait)
      return {next_step::fall_back, milliseconds{0}};
    return {next_step::retry_same, backoff(policy, attempts_made, f.retry_after, unit)};
  }
  if (allows_fallback(f.code))
    return {next_step::fall_back, milliseconds{0}};
  return {next_step::fail, milliseconds{0}};
}

bool cooldown_tracker::failed(const std::string& key, clock::time_point now,
                              milliseconds named_wait) {
  // An upstream's word bounded both ways: a Retry-After of 20 ms benches it for a second.
  constexpr milliseconds shortest_named{1'000};
  constexpr milliseconds longest_named{3'600'000};
  auto& e = entries_[key];
  e.failures.push_back(now);
  while (!e.failures.empty() && now - e.failures.front() > policy_.window)
    e.failures.pop_front();
  if (static_cast<int>(e.failures.size()) < policy_.failures)
    return false;
  e.failures.clear();
  e.until = now
            + (named_wait.count() > 0 ? std::clamp(named_wait, shortest_named, longest_named)
                                      : policy_.period);
  return true;
}

void cooldown_tracker::succeeded(const std::string& key) {
  entries_.erase(key);
}

std::optional<clock::time_point> cooldown_tracker::cooling_until(const std::string& key,
                                                                 clock::time_point now) const {
  auto i = entries_.find(key);
  if (i == entries_.end() || !i->second.until || *i->second.until <= now)
    return std::nullopt;
  return i->second.until;
}

bool restart_budget::try_restart(clock::time_point now) {
  while (!restarts_.empty() && now - restarts_.front() > policy_.window)
    restarts_.pop_front();
  if (static_cast<int>(restarts_.size()) >= policy_.max_restarts)
    return false;
  restarts_.push_back(now);
  return true;
}

} // namespace et::routing
