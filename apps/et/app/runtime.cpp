#include "et/app/runtime.hpp"

#include <algorithm>
#include <atomic>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>
#include <ostream>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/ledger.hpp"
#include "et/actors/provider_factory.hpp"
#include "et/config/paths.hpp"
#include "et/cost/prices.hpp"
#include "et/llm/fallback.hpp"
#include "et/store/journal.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

// A ledger that cannot be opened costs the command its history, not its work.
std::shared_ptr<store::ledger_store> open_store(context& ctx, std::string_view command,
                                                const config::settings& s) {
  auto ledger = store::open_sqlite_ledger(config::ledger_file(s, config::process_env()));
  if (ledger)
    return std::shared_ptr<store::ledger_store>{std::move(*ledger)};
  ctx.err << command << ": warning: " << ledger.error().message << " (spend is not persisted)\n";
  return nullptr;
}

// What a resumed run spent in its processes before this one, by role. When it has a per_run
// or per_role budget and that cannot be read, the run does not start: its budget would start
// over at $0.
result<std::map<std::string, double>>
earlier_spend(const config::settings& s, const store::ledger_store* store, const run_ref& run) {
  bool budgeted = s.budgets.per_run || !s.budgets.per_role.empty();
  // From a day before the run's start: run ids are unique, and a clock set back since the
  // run started must not leave its first calls out.
  constexpr int64_t day_ms = 86'400'000;
  auto spent = store ? store->run_spend(run.id, run.started_ms - day_ms)
                     : result<std::map<std::string, double>>{
                         make_failure(errc::io_error, "the ledger is not open")};
  if (spent || !budgeted)
    return spent ? std::move(*spent) : std::map<std::string, double>{};
  return make_failure(errc::io_error,
                      "cannot tell what run " + run.id + " spent before (" + spent.error().message
                          + "), so its budget cannot hold: resume once the ledger can be read, "
                            "or without a per_run or per_role budget");
}

std::atomic<bool> sigint_raised{false};
std::atomic<int> raising_signal{SIGINT};
// The self-pipe: the handler writes a byte, so a thread can wait for a signal in poll(2)
// instead of looking at the flag every so often. Made once, never closed.
int wake_pipe[2] = {-1, -1};

extern "C" void et_raise_interrupt_flag(int sig) {
  raising_signal = sig;
  sigint_raised = true;
  if (wake_pipe[1] >= 0) {
    int saved = errno;
    char byte = 1;
    [[maybe_unused]] auto n = ::write(wake_pipe[1], &byte, 1); // async-signal-safe
    errno = saved;
  }
}

struct sigaction previous_sigint {};
struct sigaction previous_sigterm {};
struct sigaction previous_sighup {};

} // namespace

// Declaration order is destruction order in reverse: the system outlives the
// handles, the HTTP runtime outlives the system's provider actors.
struct role_runtime::parts {
  parts(const network_options& net, const util::thread_plan& threads)
      : http(threads.io_on_workers
                 ? std::make_shared<http::runtime>(http::runtime::driven,
                                                   static_cast<int>(threads.workers))
                 : std::make_shared<http::runtime>(static_cast<int>(threads.client_io))),
        host(net, threads.workers, threads.io_on_workers ? http : nullptr) {}
  std::shared_ptr<http::runtime> http;
  actor_host host;
  actors::ledger_actor ledger;
  actors::fallback_log_actor fallbacks;
  actors::router_actor router;
};

role_runtime::role_runtime(std::unique_ptr<parts> p) : parts_(std::move(p)) {}

role_runtime::~role_runtime() {
  caf::anon_send_exit(parts_->router, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(parts_->ledger, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(parts_->fallbacks, caf::exit_reason::user_shutdown);
}

std::unique_ptr<role_runtime> role_runtime::start(context& ctx, std::string_view command,
                                                  std::shared_ptr<const config::settings> s,
                                                  run_ref run, std::optional<network_options> net,
                                                  const util::thread_plan& threads) {
  cost::price_book prices;
  if (!s->pricing.file.empty()) {
    auto book = cost::price_book::from_config(s->pricing);
    if (!book) {
      ctx.err << command << ": pricing.file: " << book.error().message << "\n";
      return nullptr;
    }
    prices = std::move(*book);
  }
  auto store = open_store(ctx, command, *s);
  std::map<std::string, double> earlier;
  if (run.resumed) {
    auto spent = earlier_spend(*s, store.get(), run);
    if (!spent) {
      ctx.err << command << ": " << spent.error().message << "\n";
      return nullptr;
    }
    earlier = std::move(*spent);
  }
  auto p = std::make_unique<parts>(net ? *net : client_network(s->nodes, s->network), threads);
  p->ledger = actors::spawn_ledger(p->host.system(),
                                   actors::ledger_setup{s,
                                                        prices,
                                                        std::move(store),
                                                        run.id.empty() ? new_run_id() : run.id,
                                                        true,
                                                        {},
                                                        std::move(earlier),
                                                        run.pool});
  p->fallbacks = actors::spawn_fallback_log(p->host.system());
  p->router = actors::spawn_router(
      p->host.system(), actors::router_setup{s, actors::make_provider_factory(p->http, s),
                                             p->ledger, std::move(prices), 1, p->fallbacks});
  return std::unique_ptr<role_runtime>{new role_runtime{std::move(p)}};
}

caf::actor_system& role_runtime::system() {
  return parts_->host.system();
}

actors::router_actor role_runtime::router() const {
  return parts_->router;
}

std::shared_ptr<http::runtime> role_runtime::http_io() const {
  return parts_->http;
}

actors::ledger_actor role_runtime::ledger() const {
  return parts_->ledger;
}

actors::fallback_log_actor role_runtime::fallbacks() const {
  return parts_->fallbacks;
}

std::vector<std::string> fallback_lines(const std::vector<fallback_taken>& taken,
                                        const std::string& answered_by) {
  std::vector<std::string> lines;
  for (const auto& f : taken)
    lines.push_back(describe(f, !answered_by.empty() && f.to == answered_by));
  return lines;
}

void print_fallbacks(std::ostream& err, const routed_response& r) {
  if (r.fallbacks.empty())
    return;
  for (const auto& line : fallback_lines(r.fallbacks, r.fallbacks.back().to))
    err << line << "\n";
}

bool check_role(context& ctx, std::string_view command, const config::settings& s,
                const std::string& role) {
  if (s.roles.contains(role))
    return true;
  std::vector<std::string> names;
  for (const auto& [name, r] : s.roles)
    names.push_back(name);
  auto guess = nearest(role, names);
  // defaults.model serves roles the config does not name, but not a typo of one it does: a
  // mistyped --worker-role would silently lose the role's pool, fallbacks and prompt.
  if (!s.defaults.model.empty() && !guess)
    return true;
  ctx.err << command << ": unknown role \"" << role << "\"";
  if (guess)
    ctx.err << "; did you mean \"" << *guess << "\"?";
  if (names.empty())
    ctx.err << " (the config names no roles";
  else
    ctx.err << " (roles: " << join(names, ", ");
  ctx.err << (s.defaults.model.empty() ? "; no defaults.model for others)\n"
                                       : "; add it under roles: to use it as a role of its "
                                         "own)\n");
  return false;
}

std::string new_run_id() {
  return store::new_run_id();
}

result<routed_response> stream_role(caf::scoped_actor& self, const actors::router_actor& router,
                                    const role_request& req,
                                    const std::function<void(const std::string&)>& on_text,
                                    const std::function<bool()>& cancel,
                                    const actors::fallback_log_actor& log,
                                    const std::function<void(const retry_notice&)>& on_retry) {
  self->send(router, actors::stream_atom::value, req);
  bool cancelling = false;
  // The retries waited for on this request, asked of the log about twice a second (a wait is
  // seconds long) and once more at the end, so that none goes unsaid.
  auto say_waits = [&] {
    if (on_retry)
      for (const auto& n : retries_noticed(self, log))
        if (n.id == req.id)
          on_retry(n);
  };
  auto next_ask = std::chrono::steady_clock::now();
  for (;;) {
    std::optional<result<routed_response>> done;
    self->receive(
        [&](actors::chunk_atom, const stream_chunk& c) {
          // Pieces of an earlier, cancelled stream may still be on their way.
          if (c.id == req.id && !cancelling && on_text)
            on_text(c.delta.text);
        },
        [&](routed_response& r) { done.emplace(std::move(r)); },
        [&](caf::error& e) { done.emplace(actors::from_caf(e)); },
        caf::after(std::chrono::milliseconds{100}) >> [] {});
    if (done || std::chrono::steady_clock::now() >= next_ask) {
      say_waits();
      next_ask = std::chrono::steady_clock::now() + std::chrono::milliseconds{500};
    }
    if (done)
      return std::move(*done);
    // Checked after every piece too, so a fast stream cannot starve it.
    if (!cancelling && cancel()) {
      cancelling = true;
      self->send(router, actors::cancel_atom::value, req.id);
    }
  }
}

std::vector<retry_notice> retries_noticed(caf::scoped_actor& self,
                                          const actors::fallback_log_actor& log) {
  std::vector<retry_notice> out;
  if (log)
    self->request(log, std::chrono::seconds{1}, actors::retries_atom::value)
        .receive([&](std::vector<retry_notice>& waits) { out = std::move(waits); },
                 [](caf::error&) {});
  return out;
}

std::string retry_line(const retry_notice& n) {
  auto why = reason_text(n.reason);
  if (n.http_status != 0)
    why = std::to_string(n.http_status) + " " + why;
  auto seconds = (std::max<int64_t>(n.delay_ms, 0) + 999) / 1000;
  return n.from + ": " + why + "; asking it again in " + std::to_string(seconds) + "s (attempt "
         + std::to_string(n.attempt + 1) + ")";
}

interrupt_guard::interrupt_guard(bool termination) : termination_(termination) {
  if (wake_pipe[0] < 0 && ::pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    wake_pipe[0] = wake_pipe[1] = -1; // no pipe: wake_fd() is -1, the flag still works
  struct sigaction sa {};
  sa.sa_handler = et_raise_interrupt_flag;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; // no SA_RESTART: a read waiting for input returns EINTR
  sigaction(SIGINT, &sa, &previous_sigint);
  if (termination_) {
    sigaction(SIGTERM, &sa, &previous_sigterm);
    sigaction(SIGHUP, &sa, &previous_sighup);
  }
  raising_signal = SIGINT;
  sigint_raised = false;
}

interrupt_guard::~interrupt_guard() {
  sigaction(SIGINT, &previous_sigint, nullptr);
  if (termination_) {
    sigaction(SIGTERM, &previous_sigterm, nullptr);
    sigaction(SIGHUP, &previous_sighup, nullptr);
  }
}

int interrupt_guard::signal_number() {
  return raising_signal;
}

int interrupt_guard::wake_fd() {
  return wake_pipe[0];
}

void interrupt_guard::drain() {
  char buf[64];
  while (wake_pipe[0] >= 0 && ::read(wake_pipe[0], buf, sizeof buf) > 0) {
  }
}

bool interrupt_guard::raised() {
  return sigint_raised;
}

void interrupt_guard::clear() {
  sigint_raised = false;
}

} // namespace et::app
