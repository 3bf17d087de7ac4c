#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <ctime>
#include <ostream>
#include <random>

#include "caf/all.hpp"
#include "et/actors/errors.hpp"
#include "et/actors/inspect.hpp"
#include "et/actors/ledger.hpp"
#include "et/actors/message_types.hpp"
#include "et/actors/provider_factory.hpp"
#include "et/commands.hpp"
#include "et/config/paths.hpp"
#include "et/cost/summary.hpp"

namespace et::app {

namespace {

struct run_flags {
  std::string task;
  std::string worker_role = "polecat";
  std::optional<double> budget;
  int timeout_s = 0;
};

std::atomic<bool> interrupted{false};

extern "C" void on_sigint(int) {
  interrupted = true;
}

struct actor_config : caf::actor_system_config {
  actor_config() {
    actors::add_message_types(*this);
    set("scheduler.max-threads", 2);
  }
};

std::string new_run_id() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  std::random_device rd;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "-%04x", static_cast<unsigned>(rd() & 0xffff));
  return std::string{buf} + suffix;
}

// The ledger persists to the state dir; a ledger that cannot be opened costs
// the run its history, not its work.
std::shared_ptr<store::ledger_store> open_ledger(context& ctx, const config::settings& s) {
  auto file = config::ledger_file(s, config::process_env());
  auto ledger = store::open_sqlite_ledger(file);
  if (ledger)
    return std::shared_ptr<store::ledger_store>{std::move(*ledger)};
  ctx.err << "et run: warning: " << ledger.error().message << " (spend is not persisted)\n";
  return nullptr;
}

role_request single_request(const config::settings& s, const run_flags& f) {
  role_request req;
  req.id = 1;
  req.role = f.worker_role;
  auto r = s.role_or_default(f.worker_role);
  if (r.system_prompt)
    req.request.messages.push_back(message{role::system, *r.system_prompt, {}, {}, {}});
  req.request.messages.push_back(message{role::user, f.task, {}, {}, {}});
  return req;
}

// Streams the worker's answer to the terminal; returns the exit code.
int stream_answer(context& ctx, caf::scoped_actor& self, actors::router_actor router,
                  const role_request& req, std::chrono::seconds timeout) {
  self->send(router, actors::stream_atom::value, req);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool cancelled = false;
  char last = '\n';
  auto end_line = [&] {
    if (last != '\n')
      ctx.out << "\n";
    last = '\n';
  };
  for (;;) {
    int code = -1;
    self->receive(
        [&](actors::chunk_atom, const stream_chunk& c) {
          ctx.out << c.delta.text << std::flush;
          if (!c.delta.text.empty())
            last = c.delta.text.back();
        },
        [&](routed_response& r) {
          end_line();
          ctx.err << "answered by " << (r.alias.empty() ? r.provider + "/" + r.model : r.alias)
                  << " after " << r.attempts << (r.attempts == 1 ? " attempt" : " attempts")
                  << "\n";
          code = exit_ok;
        },
        [&](caf::error& e) {
          end_line();
          auto f = actors::from_caf(e);
          ctx.err << "et run: " << to_string(f) << "\n";
          code = cancelled ? exit_interrupted : exit_failed;
        },
        caf::after(std::chrono::milliseconds{100}) >>
            [&] {
              // Ctrl-C and --timeout are checked between messages: the router
              // cancels the request in flight and answers with errc::cancelled.
              bool late = timeout.count() > 0 && std::chrono::steady_clock::now() > deadline;
              if (!cancelled && (interrupted || late)) {
                cancelled = true;
                self->send(router, actors::cancel_atom::value, req.id);
              }
            });
    if (code >= 0)
      return code;
  }
}

void print_spend(context& ctx, caf::scoped_actor& self, actors::ledger_actor ledger) {
  self->request(ledger, std::chrono::seconds{5}, actors::summary_atom::value)
      .receive(
          [&](cost::cost_report& r) {
            ctx.err << "tokens: " << r.prompt_tokens << " prompt, " << r.completion_tokens
                    << " completion; cost "
                    << (r.unpriced_requests > 0 && r.usd == 0 ? "unpriced"
                                                              : cost::format_usd(r.usd))
                    << "\n";
          },
          [&](caf::error&) {});
}

int run_single(context& ctx, const config::settings& loaded, const run_flags& flags) {
  auto s = std::make_shared<config::settings>(loaded);
  if (flags.budget)
    s->budgets.per_run = *flags.budget;
  actor_config cfg;
  caf::actor_system sys{cfg};
  auto runtime = std::make_shared<http::runtime>(1);
  actors::ledger_setup setup{s, cost::price_book{}, open_ledger(ctx, *s), new_run_id(), 0, true};
  if (!s->pricing.file.empty()) {
    auto book = cost::price_book::from_config(s->pricing);
    if (!book) {
      ctx.err << "et run: pricing.file: " << book.error().message << "\n";
      return exit_usage;
    }
    setup.prices = std::move(*book);
  }
  if (setup.store) {
    auto today = setup.store->spent_since(
        store::start_of_utc_day(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count()));
    setup.spent_today = today ? *today : 0;
  }
  auto ledger = actors::spawn_ledger(sys, std::move(setup));
  auto router = actors::spawn_router(sys, s, actors::make_provider_factory(runtime, s), ledger);
  caf::scoped_actor self{sys};
  auto previous = std::signal(SIGINT, on_sigint);
  auto code = stream_answer(ctx, self, router, single_request(*s, flags),
                            std::chrono::seconds{flags.timeout_s});
  std::signal(SIGINT, previous);
  print_spend(ctx, self, ledger);
  caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  return code;
}

int run_task(context& ctx, const run_flags& flags) {
  auto s = load_settings(ctx);
  if (!s)
    return exit_usage;
  auto worker = s->role_or_default(flags.worker_role);
  if (!worker.pool.empty()) {
    ctx.err << "et run: roles." << flags.worker_role
            << ".pool: pool mode (decompose, fan out, synthesize) is not supported yet in this "
               "build; pass --worker-role with a role that has no pool\n";
    return exit_usage;
  }
  return run_single(ctx, *s, flags);
}

} // namespace

void add_run_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand(
      "run", "run a task: the worker role's answer streams to the terminal (single mode)");
  add_config_flag(*cmd, ctx);
  auto flags = std::make_shared<run_flags>();
  cmd->add_option("task", flags->task, "what to do")->required();
  cmd->add_option("--worker-role", flags->worker_role, "the role that does the work (polecat)");
  cmd->add_option("--budget", flags->budget, "stop before spending more than this many USD")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--timeout", flags->timeout_s, "cancel the run after this many seconds")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&ctx, flags] { ctx.exit = run_task(ctx, *flags); });
}

} // namespace et::app
