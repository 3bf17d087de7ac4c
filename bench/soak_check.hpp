#pragma once
/// What the soak gathered and what it concludes: lost subtasks, the ledger
/// against the upstream's billed usage, memory growth, retries and fallbacks
/// by class, latencies. Printing and the JSON row live here too.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "et/cost/reports.hpp"
#include "et/roles/pool.hpp"
#include "soak_side.hpp"
#include "support.hpp"

namespace et::config {
struct settings;
} // namespace et::config

namespace et::bench::soak {

/// The text of subtask `number` of round `round`, unique in the whole soak.
std::string subtask_text(int round, int number);

/// The class of a failure message: "all_failed" for the router's "every candidate of role ...",
/// else the first errc name in it followed by ':' (how failures are written); nullopt if none.
std::optional<std::string> typed_reason(const std::string& message);

/// Everything one soak run measured.
struct soak_totals {
  int rounds = 0;                                 ///< executions run
  int64_t subtasks = 0;                           ///< subtasks sent
  int64_t done = 0;                               ///< ended with an answer
  int64_t failed_typed = 0;                       ///< failed with a typed reason
  std::vector<std::string> lost;                  ///< why each lost subtask counts as lost
  std::map<std::string, int64_t> failure_reasons; ///< failed subtasks by class
  std::vector<std::pair<std::string, std::string>> answers; ///< done: (subtask text, output)
  int64_t attempts = 0;                                     ///< model calls the router reported
  int64_t retries = 0;                       ///< of them, on a deployment tried before
  std::map<std::string, int64_t> by_outcome; ///< attempts by "ok" or errc name
  std::map<std::string, int64_t> pool_moves; ///< subtasks moved on, by class
  double ok_p50_ms = 0, ok_p99_ms = 0;       ///< answered attempts
  double all_p50_ms = 0, all_p99_ms = 0;     ///< every attempt
  int64_t kills = 0;                         ///< provider actors killed mid-call
  bool node = false;                         ///< a remote member on a node was in the pool
  int64_t node_kills = 0;                    ///< the node killed mid-call (and restarted)
  int64_t node_failed_restarts = 0;          ///< restarts that did not come up
  int64_t rss_warm_kib = 0, rss_end_kib = 0; ///< after round 1, at the end
  cost::cost_report ledger;                  ///< the ledger's summary
  std::string ledger_error;                  ///< why it could not be read
  upstream_report upstream;                  ///< what the upstream served and billed
  double seconds = 0;                        ///< wall time of the rounds

  /// Model calls so far.
  int64_t calls() const { return attempts; }
  /// Takes one round's outcomes (`error`: the pool's own failure, all lost).
  void add_round(int round, int subtasks, const std::vector<roles::subtask_outcome>& outcomes,
                 const std::string& error);
  /// Copies the counts and latency quantiles of `log`.
  void take_attempts(attempt_log& log);
};

/// The checks' results; each failing one has a line in `failures`.
struct soak_verdict {
  std::vector<std::string> failures; ///< one line per failed check
  double expected_usd = 0;           ///< the upstream's billed tokens at the aliases' prices
  int64_t growth_kib = 0;            ///< rss_end - rss_warm
  int64_t growth_limit_kib = 0;      ///< the most growth that passes
  int64_t lost = 0;                  ///< lost subtasks, text mismatches included
  /// True when every check passed.
  bool passed() const { return failures.empty(); }
};

/// Runs the checks (the texts against the upstream's, the ledger, memory, call count, node
/// kills). Billed tokens are priced by the aliases of `s` and, when given, of the node's `node`.
soak_verdict check(const soak_totals& t, const config::settings& s, int64_t wanted_calls,
                   const config::settings* node = nullptr);

/// Prints the figures and the verdict.
void print_report(const soak_totals& t, const soak_verdict& v);

/// The JSON result row (bench "soak").
json_row to_row(const soak_totals& t, const soak_verdict& v);

} // namespace et::bench::soak
