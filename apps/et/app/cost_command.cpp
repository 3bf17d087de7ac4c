#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <ctime>
#include <map>
#include <ostream>

#include "et/app/commands.hpp"
#include "et/app/flag_checks.hpp"
#include "et/app/json_out.hpp"
#include "et/config/paths.hpp"
#include "et/cost/summary.hpp"
#include "et/store/key_store.hpp"
#include "et/store/ledger_store.hpp"

namespace et::app {

namespace {

struct cost_flags {
  int days = 7;
  std::string by = "day";
  bool json = false;
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string day_of(int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string key_of(const cost::call_record& c, const std::string& by) {
  if (by == "role")
    return c.role;
  if (by == "model")
    return c.model;
  if (by == "provider")
    return c.provider;
  return day_of(c.unix_ms);
}

void print_table(std::ostream& out, const std::map<std::string, cost::spend>& rows,
                 const cost::spend& total, const std::string& by) {
  size_t w = std::max<size_t>(by.size(), 5);
  for (const auto& [k, s] : rows)
    w = std::max(w, k.size());
  auto line = [&](const std::string& key, const cost::spend& s) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%-*s %8lld %8lld %12lld %12lld  %s\n", static_cast<int>(w),
                  key.c_str(), static_cast<long long>(s.requests),
                  static_cast<long long>(s.failures), static_cast<long long>(s.prompt_tokens),
                  static_cast<long long>(s.completion_tokens), cost::format_cost(s).c_str());
    out << buf;
  };
  char head[160];
  std::snprintf(head, sizeof head, "%-*s %8s %8s %12s %12s  %s\n", static_cast<int>(w), by.c_str(),
                "calls", "failed", "prompt", "completion", "cost");
  out << head;
  for (const auto& [k, s] : rows)
    line(k, s);
  line("total", total);
  out << cost::estimated_note(total);
}

void print_json(std::ostream& out, const std::map<std::string, cost::spend>& rows,
                const cost::spend& total, const std::string& by, int days) {
  boost::json::array items;
  auto item = [](const std::string& key, const cost::spend& s) {
    return boost::json::object{{"key", key},
                               {"requests", s.requests},
                               {"failures", s.failures},
                               {"prompt_tokens", s.prompt_tokens},
                               {"completion_tokens", s.completion_tokens},
                               {"usd", s.usd},
                               {"unpriced_requests", s.unpriced_requests},
                               {"estimated_usd", s.estimated_usd},
                               {"estimated_requests", s.estimated_requests}};
  };
  for (const auto& [k, s] : rows)
    items.emplace_back(item(k, s));
  app::print_json(
      out, boost::json::object{
               {"by", by}, {"days", days}, {"rows", items}, {"total", item("total", total)}});
}

// Gateway requests by the key that made them ("(open)": no key, open mode).
int run_cost_by_key(context& ctx, const cost_flags& flags, const std::filesystem::path& file,
                    int64_t since) {
  std::vector<store::key_request> requests;
  if (std::filesystem::exists(file)) {
    auto keys = store::key_store::open(file);
    if (!keys) {
      ctx.err << "et cost: " << keys.error().message << "\n";
      return exit_failed;
    }
    auto read = (*keys)->requests_since(since);
    if (!read) {
      ctx.err << "et cost: " << read.error().message << "\n";
      return exit_failed;
    }
    requests = std::move(*read);
  }
  std::map<std::string, cost::spend> rows;
  cost::spend total;
  for (const auto& r : requests) {
    bool ok = r.status >= 200 && r.status < 300;
    rows[r.key.empty() ? "(open)" : r.key].add(r.tokens, r.usd, ok);
    total.add(r.tokens, r.usd, ok);
  }
  if (flags.json)
    print_json(ctx.out, rows, total, flags.by, flags.days);
  else if (requests.empty())
    ctx.out << "no gateway requests recorded since " << day_of(since) << " in " << file.string()
            << "\n";
  else
    print_table(ctx.out, rows, total, flags.by);
  return exit_ok;
}

int run_cost(context& ctx, const cost_flags& flags) {
  auto s = load_state_settings(ctx);
  if (!s)
    return exit_usage;
  auto file = config::ledger_file(*s, config::process_env());
  auto since = store::start_of_utc_day(now_ms()) - int64_t{86'400'000} * (flags.days - 1);
  if (flags.by == "key")
    return run_cost_by_key(ctx, flags, file, since);
  std::vector<store::stored_call> calls;
  if (std::filesystem::exists(file)) {
    auto ledger = store::open_sqlite_ledger(file);
    if (!ledger) {
      ctx.err << "et cost: " << ledger.error().message << "\n";
      return exit_failed;
    }
    auto read = (*ledger)->since(since);
    if (!read) {
      ctx.err << "et cost: " << read.error().message << "\n";
      return exit_failed;
    }
    calls = std::move(*read);
  }
  std::map<std::string, cost::spend> rows;
  cost::spend total;
  for (const auto& c : calls) {
    rows[key_of(c.call, flags.by)].add(c.call.tokens, c.call.usd, c.call.ok, c.call.estimated());
    total.add(c.call.tokens, c.call.usd, c.call.ok, c.call.estimated());
  }
  if (flags.json)
    print_json(ctx.out, rows, total, flags.by, flags.days);
  else if (calls.empty())
    ctx.out << "no calls recorded since " << day_of(since) << " in " << file.string() << "\n";
  else
    print_table(ctx.out, rows, total, flags.by);
  return exit_ok;
}

} // namespace

void add_cost_command(CLI::App& root, context& ctx) {
  auto* cmd =
      root.add_subcommand("cost", "show spend by day, role, model, provider or gateway key");
  add_config_flag(*cmd, ctx);
  auto flags = std::make_shared<cost_flags>();
  cmd->add_option("--days", flags->days, "the period: today and the N-1 days before (default 7)")
      ->transform(number_check("a whole number of days, 1 to 3650", 1, 3650, true));
  cmd->add_option("--by", flags->by,
                  "group by day, role, model, provider or key (the gateway's requests by the key "
                  "that made them) (default day)")
      ->check(CLI::IsMember({"day", "role", "model", "provider", "key"}));
  cmd->add_flag("--json", flags->json, "print one JSON document");
  cmd->callback([&ctx, flags] { ctx.exit = run_cost(ctx, *flags); });
}

} // namespace et::app
