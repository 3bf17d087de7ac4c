// `et keys create|list|revoke`: the gateway's keys, kept hashed in the state
// dir's ledger (et/store/key_store). The key text is printed once, by create.

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <ostream>

#include "et/app/commands.hpp"
#include "et/app/flag_checks.hpp"
#include "et/config/paths.hpp"
#include "et/cost/summary.hpp"
#include "et/gateway/models.hpp"
#include "et/store/key_store.hpp"

namespace et::app {

namespace {

struct keys_flags {
  std::string name;
  std::optional<double> budget_day;
  std::optional<double> budget_total;
  std::string models;
  std::optional<int64_t> rpm;
  std::optional<int64_t> tpm;
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string time_of(int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::unique_ptr<store::key_store> open_keys(context& ctx, const config::settings& s) {
  auto file = config::ledger_file(s, config::process_env());
  auto keys = store::key_store::open(file);
  if (!keys) {
    ctx.err << "et keys: " << keys.error().message << "\n";
    return nullptr;
  }
  return std::move(*keys);
}

// "a,b" into names; "" when every name is well formed, else the complaint.
std::string split_models(const std::string& text, std::vector<std::string>& out) {
  size_t at = 0;
  while (at <= text.size()) {
    auto comma = std::min(text.find(',', at), text.size());
    auto name = text.substr(at, comma - at);
    if (name.empty())
      return "--models: expected model names separated by commas, got \"" + text + "\"";
    out.push_back(name);
    at = comma + 1;
  }
  return {};
}

int run_create(context& ctx, const keys_flags& f) {
  if (auto ok = store::check_key_name(f.name); !ok) {
    ctx.err << "et keys create: NAME \"" << f.name << "\": " << ok.error().message << "\n";
    return exit_usage;
  }
  store::key_limits l;
  l.budget_day = f.budget_day;
  l.budget_total = f.budget_total;
  l.rpm = f.rpm;
  l.tpm = f.tpm;
  if (!f.models.empty())
    if (auto why = split_models(f.models, l.models); !why.empty()) {
      ctx.err << "et keys create: " << why << "\n";
      return exit_usage;
    }
  auto s = load_settings_without_keys(ctx);
  if (!s)
    return exit_usage;
  for (const auto& m : l.models)
    if (!gateway::route_model(*s, m))
      ctx.err << "et keys create: warning: --models: \"" << m
              << "\" is not a role, alias or provider/model of this configuration\n";
  auto keys = open_keys(ctx, *s);
  if (!keys)
    return exit_failed;
  auto key = keys->create(f.name, l, now_ms());
  if (!key) {
    ctx.err << "et keys create: " << key.error().message << "\n";
    return key.error().code == errc::invalid_input ? exit_usage : exit_failed;
  }
  ctx.out << *key << "\n";
  ctx.err << "et keys create: key \"" << f.name
          << "\" made; it is shown only this once (et keeps its SHA-256): send it as "
             "\"Authorization: Bearer KEY\" or \"x-api-key: KEY\"\n";
  return exit_ok;
}

std::string limits_of(const store::key_info& k) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (k.limits.budget_day)
    add(cost::format_usd(*k.limits.budget_day) + "/day");
  if (k.limits.budget_total)
    add(cost::format_usd(*k.limits.budget_total) + " total");
  if (k.limits.rpm)
    add(std::to_string(*k.limits.rpm) + " rpm");
  if (k.limits.tpm)
    add(std::to_string(*k.limits.tpm) + " tpm");
  if (!k.limits.models.empty()) {
    std::string models;
    for (const auto& m : k.limits.models)
      models += (models.empty() ? "" : ",") + m;
    add("models " + models);
  }
  return out.empty() ? "none" : out;
}

int run_list(context& ctx) {
  auto s = load_settings_without_keys(ctx);
  if (!s)
    return exit_usage;
  auto keys = open_keys(ctx, *s);
  if (!keys)
    return exit_failed;
  auto list = keys->list(now_ms());
  if (!list) {
    ctx.err << "et keys list: " << list.error().message << "\n";
    return exit_failed;
  }
  if (list->empty()) {
    ctx.out << "no gateway keys: `et serve --http` runs in loopback-only open mode\n";
    return exit_ok;
  }
  for (const auto& k : *list)
    ctx.out << k.name << (k.revoked ? " (revoked)" : "") << ": created " << time_of(k.created_ms)
            << "; limits: " << limits_of(k) << "; spent today " << cost::format_usd(k.spent_day)
            << ", total " << cost::format_usd(k.spent_total) << " in " << k.requests
            << " requests\n";
  return exit_ok;
}

int run_revoke(context& ctx, const std::string& name) {
  auto s = load_settings_without_keys(ctx);
  if (!s)
    return exit_usage;
  auto keys = open_keys(ctx, *s);
  if (!keys)
    return exit_failed;
  auto r = keys->revoke(name);
  if (!r) {
    ctx.err << "et keys revoke: " << r.error().message << "\n";
    return r.error().code == errc::not_found ? exit_usage : exit_failed;
  }
  if (!*r) {
    ctx.err << "et keys revoke: key \"" << name << "\" was revoked already\n";
    return exit_ok;
  }
  ctx.err << "et keys revoke: key \"" << name
          << "\" revoked: gateways sharing this state dir refuse it from their next request\n";
  if (auto active = keys->any_active(); active && !*active)
    ctx.err << "et keys revoke: WARNING: no key is active now: gateways sharing this state dir "
               "are back in loopback-only OPEN MODE (any local process may use them) until "
               "`et keys create` makes one\n";
  return exit_ok;
}

} // namespace

void add_keys_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand(
      "keys", "the gateway's keys (et serve --http): create, list, revoke; kept hashed in the "
              "state dir's ledger");
  cmd->require_subcommand(1);
  add_config_flag(*cmd, ctx);
  auto f = std::make_shared<keys_flags>();
  auto* create = cmd->add_subcommand(
      "create", "make a key and print it once; with any key, the gateway requires one");
  add_config_flag(*create, ctx);
  create->add_option("NAME", f->name, "the key's name (letters, digits, '.', '_', '-')")
      ->required();
  create->add_option("--budget-day", f->budget_day, "USD this key may spend per UTC day")
      ->transform(number_check("dollars (0 or more)", 0, 1e12, false));
  create->add_option("--budget-total", f->budget_total, "USD this key may spend in all")
      ->transform(number_check("dollars (0 or more)", 0, 1e12, false));
  create->add_option("--models", f->models,
                     "the only `model` names (roles, aliases, provider/model) it may use, "
                     "comma-separated (default: any)");
  create->add_option("--rpm", f->rpm, "requests per minute")
      ->transform(number_check("a whole number of requests, 1 or more", 1, 1e15, true));
  create->add_option("--tpm", f->tpm, "tokens per minute (estimated before, actual after)")
      ->transform(number_check("a whole number of tokens, 1 or more", 1, 1e15, true));
  create->callback([&ctx, f] { ctx.exit = run_create(ctx, *f); });
  auto* list = cmd->add_subcommand(
      "list", "every key: name, created, limits, spend today and in all, revoked (never the key)");
  add_config_flag(*list, ctx);
  list->callback([&ctx] { ctx.exit = run_list(ctx); });
  auto* revoke = cmd->add_subcommand("revoke", "refuse a key from now on (its name stays taken)");
  add_config_flag(*revoke, ctx);
  auto name = std::make_shared<std::string>();
  revoke->add_option("NAME", *name, "the key's name")->required();
  revoke->callback([&ctx, name] { ctx.exit = run_revoke(ctx, *name); });
}

} // namespace et::app
