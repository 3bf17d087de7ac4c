#pragma once
/// The soak's remote pool member: an `et serve` process (plain TCP on
/// loopback) whose alias streams from its own fake upstream, which holds every
/// Nth stream after its first content event. Each time that upstream holds a
/// call, the node is killed with SIGKILL mid-call (so the held answer is never
/// billed) and started again on the same port; the caller must move the
/// subtask to another member, connect again and use the node afresh.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>
#include <thread>

#include "scale_proc.hpp"
#include "soak_side.hpp"

namespace et::config {
struct settings;
} // namespace et::config

namespace et::bench::soak {

/// What the node's caller needs to know, and its config for pricing checks.
struct node_plan {
  std::string et_path;     ///< the `et` executable
  std::string dir;         ///< a scratch directory for its config, state and log
  uint16_t upstream_port;  ///< its fake upstream
  int hold_every = 4;      ///< x-fake-hold on its provider
};

/// The node's YAML: alias `a-node` (model soak-node, priced) on the upstream.
std::string node_yaml(const node_plan& p, uint16_t port);

/// Runs the node and kills and restarts it as described above.
class node_killer {
public:
  /// Picks a free loopback port and starts the node; check ok() and error().
  explicit node_killer(node_plan p);
  /// Stops watching and stops the node (SIGTERM, then SIGKILL after 10 s).
  ~node_killer();
  node_killer(const node_killer&) = delete;
  node_killer& operator=(const node_killer&) = delete;

  /// True when the node listens.
  bool ok() const { return error_.empty(); }
  /// Why it did not start.
  const std::string& error() const { return error_; }
  /// Its port on 127.0.0.1.
  uint16_t port() const { return port_; }
  /// Kills so far.
  int64_t kills() const { return kills_.load(); }
  /// Starts again that failed (the node stayed down).
  int64_t failed_restarts() const { return failed_restarts_.load(); }

private:
  bool start();
  void loop();

  node_plan plan_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string error_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> kills_{0};
  std::atomic<int64_t> failed_restarts_{0};
  std::thread thread_;
};

/// The node with its own fake upstream (echo answers, no faults), in a
/// scratch directory: started together, stopped in reverse, directory removed.
class node_side {
public:
  /// Starts both; check error().
  node_side(const std::string& fake_upstream, const std::string& et_path, int hold_every);
  /// Stops the node, then its upstream, and removes the directory.
  ~node_side();
  node_side(const node_side&) = delete;
  node_side& operator=(const node_side&) = delete;

  /// Why it did not start ("" when it did).
  const std::string& error() const { return error_; }
  /// The node's port on 127.0.0.1.
  uint16_t port() const { return killer_ ? killer_->port() : 0; }
  /// The node's kills and failed restarts so far.
  const node_killer& killer() const { return *killer_; }
  /// The node's own settings (its alias prices the node's answers).
  std::shared_ptr<config::settings> settings() const { return settings_; }
  /// What the node's upstream served and billed, with texts.
  upstream_report report() const { return read_report(up_.port, true); }

private:
  std::string dir_;
  scale::upstream_process up_;
  std::unique_ptr<node_killer> killer_;
  std::shared_ptr<config::settings> settings_;
  std::string error_;
};

} // namespace et::bench::soak
