// The `timeouts`, `retry`, `cooldown`, `supervision`, `pricing` and `budgets` sections.
#include "et/config/detail/sections.hpp"

#include <filesystem>

#include "et/util/url.hpp"

namespace et::config::detail {

void read_timeouts(reader& r, const located& at, timeouts& out) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"connect", "first_byte", "idle", "total"});
  out.connect = r.duration(r.child(at, "connect")).value_or(out.connect);
  out.first_byte = r.duration(r.child(at, "first_byte")).value_or(out.first_byte);
  out.idle = r.duration(r.child(at, "idle")).value_or(out.idle);
  out.total = r.duration(r.child(at, "total")).value_or(out.total);
}

namespace {

void read_retry(reader& r, const located& at, retry& out) {
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"attempts", "initial_backoff", "max_backoff", "max_wait", "jitter"});
  out.attempts = static_cast<int>(r.integer(r.child(at, "attempts"), 1, 20).value_or(out.attempts));
  out.initial_backoff = r.duration(r.child(at, "initial_backoff")).value_or(out.initial_backoff);
  out.max_backoff = r.duration(r.child(at, "max_backoff")).value_or(out.max_backoff);
  out.max_wait = r.duration(r.child(at, "max_wait")).value_or(out.max_wait);
  out.jitter = r.number(r.child(at, "jitter"), 0, 1).value_or(out.jitter);
  if (out.max_backoff < out.initial_backoff) {
    auto max_at = r.child(at, "max_backoff");
    if (max_at.node.IsDefined())
      r.error(max_at.node, max_at.path, "must not be shorter than initial_backoff");
    else // max_backoff kept its default: point at the key that is written
      r.error(get(at.node, "initial_backoff"), key_path(at.path, "initial_backoff"),
              "must not be longer than max_backoff (" + format_duration(out.max_backoff) + ")");
  }
}

void read_cooldown(reader& r, const located& at, cooldown& out) {
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"failures", "window", "period"});
  out.failures =
      static_cast<int>(r.integer(r.child(at, "failures"), 1, 1000).value_or(out.failures));
  out.window = r.duration(r.child(at, "window")).value_or(out.window);
  out.period = r.duration(r.child(at, "period")).value_or(out.period);
}

void read_supervision(reader& r, const located& at, supervision& out) {
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"max_restarts", "window"});
  out.max_restarts =
      static_cast<int>(r.integer(r.child(at, "max_restarts"), 0, 1000).value_or(out.max_restarts));
  out.window = r.duration(r.child(at, "window")).value_or(out.window);
}

void read_pricing(reader& r, const located& at, pricing& out) {
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"file"});
  auto file_at = r.child(at, "file");
  if (auto file = r.text(file_at)) {
    out.file = resolve_path(r.file(), *file, r.env());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(out.file, ec))
      r.error(file_at.node, file_at.path, "price file \"" + out.file + "\" does not exist");
  }
}

void read_budgets(reader& r, const located& at, budgets& out) {
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"per_run", "per_day", "per_role"});
  out.per_run = r.number(r.child(at, "per_run"), 0.000001, 1e9);
  out.per_day = r.number(r.child(at, "per_day"), 0.000001, 1e9);
  for (const auto& [key, value] : r.entries(r.child(at, "per_role")))
    if (auto usd = r.number(value, 0.000001, 1e9))
      out.per_role[key.node.as<std::string>()] = *usd;
}

} // namespace

void read_policies(reader& r, const YAML::Node& root, settings& out) {
  read_retry(r, {get(root, "retry"), "retry"}, out.retry);
  read_cooldown(r, {get(root, "cooldown"), "cooldown"}, out.cooldown);
  read_supervision(r, {get(root, "supervision"), "supervision"}, out.supervision);
  read_pricing(r, {get(root, "pricing"), "pricing"}, out.pricing);
  read_budgets(r, {get(root, "budgets"), "budgets"}, out.budgets);
}

std::string resolve_path(const std::string& config_file, const std::string& path,
                         const env_lookup& env) {
  namespace fs = std::filesystem;
  if (path.empty())
    return path;
  if (path == "~" || path.rfind("~/", 0) == 0) {
    auto home = env ? env("HOME") : std::nullopt;
    if (home)
      return (fs::path{*home} / path.substr(path.size() > 1 ? 2 : 1)).lexically_normal().string();
  }
  fs::path p{path};
  if (p.is_absolute())
    return p.lexically_normal().string();
  return (fs::path{config_file}.parent_path() / p).lexically_normal().string();
}

} // namespace et::config::detail
