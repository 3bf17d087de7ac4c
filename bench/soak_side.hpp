#pragma once
/// The soak's instruments around the system under test: a tap in front of the
/// ledger that keeps every attempt's outcome and latency, the crash injector
/// that kills a provider actor while the fake upstream holds its call, and a
/// small client for the fake upstream's GET /fake/report.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "et/actors/interfaces.hpp"
#include "et/actors/router.hpp"

namespace et::bench::soak {

/// Every attempt the router reported, as the tap saw it on its way to the ledger.
struct attempt_log {
  mutable std::mutex mutex;                  ///< guards the rest
  int64_t attempts = 0;                      ///< records seen
  int64_t retries = 0;                       ///< attempts on a deployment already tried
  std::map<std::string, int64_t> by_outcome; ///< "ok" or the errc name
  std::vector<double> ok_ms;                 ///< latency of answered attempts
  std::vector<double> all_ms;                ///< latency of every attempt
};

/// A ledger in front of `real`: records go on to it after the log saw them;
/// budget and summary questions are delegated (so a summary follows every
/// record the tap received before it).
actors::ledger_actor spawn_ledger_tap(caf::actor_system& sys, actors::ledger_actor real,
                                      std::shared_ptr<attempt_log> log);

/// The provider actors the router made for one provider name, newest last.
struct victim_registry {
  std::mutex mutex;               ///< guards current
  actors::provider_actor current; ///< the live instance (after restarts, the newest)
  int64_t spawned = 0;            ///< instances made, restarts included
};

/// Wraps `inner` so that every actor made for provider `name` is noted in `reg`.
actors::provider_factory watch_provider(actors::provider_factory inner, std::string name,
                                        std::shared_ptr<victim_registry> reg);

/// The billed usage of one model (or all) as GET /fake/report gives it.
struct billed {
  int64_t answers = 0;           ///< answers sent in full
  int64_t prompt_tokens = 0;     ///< their prompt tokens
  int64_t completion_tokens = 0; ///< their completion tokens
};

/// GET /fake/report, parsed.
struct upstream_report {
  bool ok = false;                       ///< the report was read
  int64_t requests = 0;                  ///< requests, all endpoints
  int64_t held = 0;                      ///< streams held by x-fake-hold (killed or not)
  std::map<std::string, int64_t> faults; ///< injected, by fault name
  billed total;                          ///< everything billed
  std::map<std::string, billed> models;  ///< by model id
  std::map<std::string, int64_t> texts;  ///< answer text -> times sent in full
};

/// Reads the fake upstream's report over loopback (texts only when asked).
upstream_report read_report(uint16_t port, bool with_texts);

/// Adds `more` (another upstream's report) to `into`: counts, billing, texts.
void merge(upstream_report& into, const upstream_report& more);

/// Kills the registry's provider actor each time the upstream holds a new
/// call of it (every call to that provider is held after its first content
/// event), so each kill lands mid-call and no answer of it is ever billed.
class crash_injector {
public:
  /// Polls the upstream on `port` every few milliseconds from its own thread.
  crash_injector(uint16_t port, std::shared_ptr<victim_registry> reg);
  /// Stops the thread.
  ~crash_injector();
  crash_injector(const crash_injector&) = delete;
  crash_injector& operator=(const crash_injector&) = delete;
  /// Kills so far.
  int64_t kills() const { return kills_.load(); }

private:
  void loop();

  uint16_t port_;
  std::shared_ptr<victim_registry> reg_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> kills_{0};
  std::thread thread_;
};

/// This process's resident set (VmRSS), KiB.
int64_t rss_kib();

} // namespace et::bench::soak
