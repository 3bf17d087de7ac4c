#pragma once
/// The router's decisions that need no mailbox: backoff delays, cooldowns of
/// failing deployments, and restart budgets of supervised actors. Time is
/// passed in, so the actor can use its (virtual, in tests) clock.

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "et/config/settings.hpp"
#include "et/llm/errc.hpp"

namespace et::routing {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// What to do after a failed attempt.
enum class next_step {
  retry_same, ///< wait `delay`, then try the same deployment again
  fall_back,  ///< move on to the next candidate
  fail,       ///< give up: the error is final (auth, bad request, ...)
};

/// A decision and, for retries, how long to wait.
struct decision {
  next_step step = next_step::fail; ///< the action
  milliseconds delay{0};            ///< wait before retry_same
};

/// The backoff before retry number `attempt` (1-based): exponential from
/// initial_backoff, capped at max_backoff, spread by +-jitter using `unit`
/// (a number in [0, 1)), and never shorter than a server's Retry-After.
milliseconds backoff(const config::retry& policy, int attempt, milliseconds retry_after,
                     double unit);

/// Decides after `attempts_made` failed attempts on one deployment. A
/// Retry-After longer than retry.max_wait falls back instead of waiting.
decision decide(const config::retry& policy, const failure& f, int attempts_made, double unit);

/// Counts failures per deployment and benches one that fails too often.
class cooldown_tracker {
public:
  /// A tracker with the given policy.
  explicit cooldown_tracker(config::cooldown policy) : policy_(policy) {}
  /// Records a failure of `key` at `now`; true when it starts a cooldown. A cooldown lasts the
  /// policy's period, or `named_wait` when the upstream named when it is back (Retry-After)
  /// shorter or longer than that (from a second to an hour: an upstream's word is bounded too).
  bool failed(const std::string& key, clock::time_point now,
              milliseconds named_wait = milliseconds{0});
  /// Records a success: the failure count starts over.
  void succeeded(const std::string& key);
  /// When `key` is cooling down at `now`, the moment it comes back.
  std::optional<clock::time_point> cooling_until(const std::string& key,
                                                 clock::time_point now) const;

private:
  struct entry {
    std::deque<clock::time_point> failures;
    std::optional<clock::time_point> until;
  };
  config::cooldown policy_;
  std::map<std::string, entry> entries_;
};

/// Erlang-style restart intensity: at most N restarts within a window.
class restart_budget {
public:
  /// A budget with the given policy.
  explicit restart_budget(config::supervision policy) : policy_(policy) {}
  /// Asks for one restart at `now`; false when the budget is spent.
  bool try_restart(clock::time_point now);
  /// Restarts counted within the current window.
  size_t used() const { return restarts_.size(); }

private:
  config::supervision policy_;
  std::deque<clock::time_point> restarts_;
};

} // namespace et::routing
