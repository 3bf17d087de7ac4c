// The `models`, `roles`, `specialists` and `defaults` sections.
#include "et/config/detail/sections.hpp"

namespace et::config::detail {

namespace {

void read_price(reader& r, const located& at, model_alias& m) {
  if (!at.node.IsDefined() || !r.expect_map(at))
    return;
  r.check_keys(at, {"input", "output", "cache_read", "cache_write"});
  price p;
  p.input = r.number(r.child(at, "input"), 0, 1e6).value_or(0);
  p.output = r.number(r.child(at, "output"), 0, 1e6).value_or(0);
  p.cache_read = r.number(r.child(at, "cache_read"), 0, 1e6).value_or(0);
  p.cache_write = r.number(r.child(at, "cache_write"), 0, 1e6).value_or(0);
  m.prices = p;
}

std::optional<int32_t> read_max_tokens(reader& r, const located& at) {
  if (auto n = r.integer(at, 1, 10'000'000))
    return static_cast<int32_t>(*n);
  return std::nullopt;
}

void read_model(reader& r, const std::string& name, const located& at, model_alias& m) {
  m.name = name;
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"provider", "model", "max_tokens", "temperature", "top_p", "num_ctx",
                    "keep_alive", "context_window", "price", "thinking"});
  auto provider_at = r.child(at, "provider");
  m.provider = r.text(provider_at).value_or("");
  if (m.provider.empty())
    r.error(provider_at.node.IsDefined() ? provider_at.node : at.node, provider_at.path,
            "missing provider (a name under providers)");
  auto model_at = r.child(at, "model");
  m.model = r.text(model_at).value_or("");
  if (m.model.empty())
    r.error(model_at.node.IsDefined() ? model_at.node : at.node, model_at.path,
            "missing model (the provider's model id, e.g. gpt-4o)");
  m.max_tokens = read_max_tokens(r, r.child(at, "max_tokens"));
  m.temperature = r.number(r.child(at, "temperature"), 0, 2);
  m.top_p = r.number(r.child(at, "top_p"), 0, 1);
  if (auto n = r.integer(r.child(at, "num_ctx"), 1, 100'000'000))
    m.num_ctx = static_cast<int32_t>(*n);
  m.keep_alive = r.text(r.child(at, "keep_alive")).value_or("");
  m.context_window = r.integer(r.child(at, "context_window"), 1, 100'000'000);
  read_price(r, r.child(at, "price"), m);
  auto thinking_at = r.child(at, "thinking");
  if (auto t = r.text(thinking_at); t && *t == "adaptive")
    m.thinking = thinking_style::adaptive;
  else if (t && *t == "budget")
    m.thinking = thinking_style::budget;
  else if (t)
    r.error(thinking_at.node, thinking_at.path,
            "unknown thinking \"" + *t + "\" (adaptive or budget: how the model takes it)");
}

void read_pool(reader& r, const located& at, role& out) {
  for (const auto& e : r.elements(at)) {
    pool_member member;
    if (e.node.IsMap()) {
      r.check_keys(e, {"model", "max_concurrency"});
      member.model = r.text(r.child(e, "model")).value_or("");
      member.max_concurrency =
          static_cast<int>(r.integer(r.child(e, "max_concurrency"), 1, 1024).value_or(1));
    } else {
      member.model = r.text(e).value_or("");
    }
    if (member.model.empty())
      r.error(e.node, e.path, "a pool member needs a model alias");
    out.pool.push_back(std::move(member));
  }
}

void read_role(reader& r, const std::string& name, const located& at, role& out, bool specialist) {
  out.name = name;
  if (!r.expect_map(at))
    return;
  if (specialist)
    r.check_keys(at, {"model", "fallbacks", "pool", "system_prompt", "max_tokens", "temperature",
                      "description"});
  else
    r.check_keys(at, {"model", "fallbacks", "pool", "system_prompt", "max_tokens", "temperature"});
  out.model = r.text(r.child(at, "model")).value_or("");
  out.fallbacks = r.string_list(r.child(at, "fallbacks"));
  read_pool(r, r.child(at, "pool"), out);
  // A pool-only role uses its first member for single-shot work.
  if (out.model.empty() && !out.pool.empty())
    out.model = out.pool.front().model;
  if (out.model.empty())
    r.error(at.node, key_path(at.path, "model"), "missing model (a model alias)");
  if (auto prompt = r.text(r.child(at, "system_prompt")))
    out.system_prompt = *prompt;
  out.max_tokens = read_max_tokens(r, r.child(at, "max_tokens"));
  out.temperature = r.number(r.child(at, "temperature"), 0, 2);
  out.description = r.text(r.child(at, "description")).value_or("");
}

} // namespace

void read_models(reader& r, const located& at, settings& out) {
  for (const auto& [key, value] : r.entries(at)) {
    auto name = key.node.as<std::string>();
    // "a@b" would name alias a on node b wherever it is used (a node takes such a name from
    // its callers as an alias of its own): the alias could never be reached.
    if (name.find('@') != std::string::npos) {
      r.error(key.node, value.path,
              "'@' is not allowed in a model alias (ALIAS@NODE names an alias on a node)");
      continue;
    }
    read_model(r, name, value, out.models[name]);
  }
}

void read_roles(reader& r, const located& at, std::map<std::string, role>& out, bool specialists) {
  for (const auto& [key, value] : r.entries(at)) {
    auto name = key.node.as<std::string>();
    read_role(r, name, value, out[name], specialists);
  }
}

void read_defaults(reader& r, const located& at, defaults& out) {
  if (!r.expect_map(at))
    return;
  r.check_keys(
      at, {"model", "fallbacks", "max_tokens", "temperature", "log_dir", "runs_dir", "state_dir"});
  out.model = r.text(r.child(at, "model")).value_or("");
  out.fallbacks = r.string_list(r.child(at, "fallbacks"));
  out.max_tokens = read_max_tokens(r, r.child(at, "max_tokens")).value_or(4096);
  out.temperature = r.number(r.child(at, "temperature"), 0, 2);
  auto dir = [&](const char* key) {
    auto text = r.text(r.child(at, key));
    return text ? resolve_path(r.file(), *text, r.env()) : std::string{};
  };
  out.log_dir = dir("log_dir");
  out.runs_dir = dir("runs_dir");
  out.state_dir = dir("state_dir");
}

} // namespace et::config::detail
