#pragma once
/// What commands that ask roles share: an actor system running the cost
/// ledger and the router over one configuration, a streamed answer from the
/// router as a blocking call, and Ctrl-C turned into a flag.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "caf/fwd.hpp"
#include "et/actors/fallback_log.hpp"
#include "et/actors/interfaces.hpp"
#include "et/app/commands.hpp"
#include "et/app/network.hpp"
#include "et/util/cores.hpp"
#include "et/util/result.hpp"

namespace et::app {

/// The `et run` a runtime's calls belong to.
struct run_ref {
  std::string id;         ///< the ledger files calls under it ("" = a new id)
  int64_t started_ms = 0; ///< when the run started (Unix ms): its calls are no older
  bool resumed = false;   ///< a resume: its budgets count what the run spent before
  bool pool = false;      ///< a pool run: budget checks wait for parallel calls to settle
};

/// An actor system with a ledger and a router for one configuration; stopping
/// it (the destructor) stops both, then waits for every actor.
class role_runtime {
public:
  /// Starts the system. Prints one line and returns null when it cannot (a
  /// pricing file that does not load, a resumed run with a budget whose earlier spend cannot
  /// be read); `command` prefixes messages ("et chat"). The ledger files calls under `run`'s
  /// id. Networking (for alias@node) is
  /// client_network(settings nodes, network) unless `net` says otherwise. `threads` sizes
  /// the scheduler and the providers' I/O threads (the default, util::command_plan, suits a
  /// command's few calls; `et serve` plans for its cores with util::plan_threads).
  static std::unique_ptr<role_runtime>
  start(context& ctx, std::string_view command, std::shared_ptr<const config::settings> settings,
        run_ref run = {}, std::optional<network_options> net = std::nullopt,
        const util::thread_plan& threads = util::command_plan(util::usable_cores()));

  /// Stops router and ledger, then the system.
  ~role_runtime();

  role_runtime(const role_runtime&) = delete;
  role_runtime& operator=(const role_runtime&) = delete;

  /// The system, for scoped actors (which must be gone before this is).
  caf::actor_system& system();
  /// The router: complete and stream by role.
  actors::router_actor router() const;
  /// The providers' HTTP runtime (the actor workers drive it when the thread plan says so).
  std::shared_ptr<http::runtime> http_io() const;
  /// The ledger: spend and budgets.
  actors::ledger_actor ledger() const;
  /// The router's fallback reports, drained by the run actor.
  actors::fallback_log_actor fallbacks() const;

private:
  struct parts;
  explicit role_runtime(std::unique_ptr<parts> p);
  std::unique_ptr<parts> parts_;
};

/// True when `role` can be asked: it is configured, or defaults.model serves unconfigured
/// roles and it is no near miss of a configured one (a typo). Otherwise prints one line
/// naming it (with a did-you-mean), prefixed by `command`.
bool check_role(context& ctx, std::string_view command, const config::settings& s,
                const std::string& role);

/// A run id for the ledger: store::new_run_id() (20261124-101500-3f2a9c01).
std::string new_run_id();

/// Streams `req` through the router from a blocking context: each piece's
/// text goes to `on_text` as it arrives; `cancel` is polled about every 100 ms
/// and, once it returns true, the router is told to cancel (the result is then
/// errc::cancelled). Returns the router's answer or the failure. `on_text` may be empty
/// (a request with text_unseen gets no pieces). Given `log` (the router's observer) and
/// `on_retry`, each retry the router waits for on this request is passed on as it starts.
result<routed_response> stream_role(caf::scoped_actor& self, const actors::router_actor& router,
                                    const role_request& req,
                                    const std::function<void(const std::string&)>& on_text,
                                    const std::function<bool()>& cancel,
                                    const actors::fallback_log_actor& log = {},
                                    const std::function<void(const retry_notice&)>& on_retry = {});

/// "m1: 429 rate limited; asking it again in 30s (attempt 2)": a retry the router waits for.
std::string retry_line(const retry_notice& n);

/// The retries the router waited for since the last ask, as its observer `log` kept them,
/// oldest first; none when there is no log or it does not answer within a second.
std::vector<retry_notice> retries_noticed(caf::scoped_actor& self,
                                          const actors::fallback_log_actor& log);

/// One stderr line per fallback (describe()), "answered by" where `to` is `answered_by`.
std::vector<std::string> fallback_lines(const std::vector<fallback_taken>& taken,
                                        const std::string& answered_by);

/// Prints the fallbacks an answer took to `err`, one line each.
void print_fallbacks(std::ostream& err, const routed_response& r);

/// While alive, Ctrl-C (SIGINT) only raises a flag, and interrupts blocking
/// reads (no SA_RESTART) so a REPL waiting for input notices it.
class interrupt_guard {
public:
  /// Installs the handler; with `termination`, SIGTERM and SIGHUP raise the flag too, so a
  /// run stops as on Ctrl-C (killing its verify command, journaling itself as interrupted)
  /// instead of dying with children left behind.
  explicit interrupt_guard(bool termination = false);
  /// Restores the previous handler.
  ~interrupt_guard();
  interrupt_guard(const interrupt_guard&) = delete;
  interrupt_guard& operator=(const interrupt_guard&) = delete;

  /// True after Ctrl-C until clear().
  static bool raised();
  /// Lowers the flag.
  static void clear();
  /// The signal that raised it last (SIGINT, SIGTERM or SIGHUP).
  static int signal_number();
  /// A pipe's read end that becomes readable when a signal raises the flag (-1 when no pipe
  /// could be made): wait for it with poll(2); drain() empties it.
  static int wake_fd();
  /// Reads what wake_fd() holds.
  static void drain();

private:
  bool termination_;
};

} // namespace et::app
