#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <ostream>

#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/provider_factory.hpp"
#include "et/actors/remote_provider.hpp"
#include "et/app/commands.hpp"
#include "et/app/flag_checks.hpp"
#include "et/app/json_out.hpp"
#include "et/app/network.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

// One provider's answer: its models, or why it has none.
// A node ("@name") lists its aliases: id = alias, display_name = provider/model.
struct listing {
  std::string provider;
  std::vector<model_info> models;
  std::optional<std::string> error;
  bool node() const { return provider.starts_with('@'); }
};

// What the MODEL column shows.
const std::string& model_of(const listing& l, const model_info& m) {
  return l.node() ? m.display_name : m.id;
}

// Whether the provider's id `listed` is the model a config names `configured`: Ollama lists
// "llama3:latest" for what a config calls "llama3".
bool same_model(std::string_view listed, std::string_view configured) {
  return listed == configured
         || (listed.size() == configured.size() + 7 && listed.starts_with(configured)
             && listed.ends_with(":latest"));
}

std::vector<std::string> aliases_of(const std::map<std::string, config::model_alias>& models,
                                    const listing& l, const model_info& listed) {
  if (l.node())
    return {listed.id + l.provider};
  std::vector<std::string> out;
  for (const auto& [alias, m] : models)
    if (m.provider == l.provider && same_model(listed.id, m.model))
      out.push_back(alias);
  return out;
}

// The aliases on `l`'s provider whose model it does not list (a typo in a model id, a model it
// dropped, or one it serves under another id): shown, not hidden, with the model they name.
std::vector<std::pair<std::string, std::string>>
unlisted(const std::map<std::string, config::model_alias>& models, const listing& l) {
  std::vector<std::pair<std::string, std::string>> out;
  if (l.node() || l.error)
    return out;
  for (const auto& [alias, m] : models) {
    if (m.provider != l.provider)
      continue;
    bool listed = std::any_of(l.models.begin(), l.models.end(),
                              [&](const model_info& i) { return same_model(i.id, m.model); });
    if (!listed)
      out.emplace_back(alias, m.model);
  }
  return out;
}

// `p` for a listing, which takes `limit` at most: its timeouts are sized for answers
// (minutes to the first byte of a long one), and a provider that hangs would hold every
// other provider's rows back for that long.
config::provider for_listing(config::provider p, std::chrono::milliseconds limit) {
  for (auto* t : {&p.timeout.connect, &p.timeout.first_byte, &p.timeout.idle, &p.timeout.total})
    *t = std::min(*t, limit);
  return p;
}

// `s` with every provider's and node's timeouts capped at `limit`, for listings.
std::shared_ptr<const config::settings> for_listing(const config::settings& s,
                                                    std::chrono::milliseconds limit) {
  auto out = std::make_shared<config::settings>(s);
  for (auto& [name, p] : out->providers)
    p = for_listing(p, limit);
  for (auto& [name, n] : out->nodes) {
    n.connect_timeout = std::min(n.connect_timeout, limit);
    n.request_timeout = std::min(n.request_timeout, limit);
  }
  return out;
}

// Asks every provider at once, then collects the answers in config order.
std::vector<listing> ask_all(const std::shared_ptr<const config::settings>& s,
                             std::chrono::milliseconds limit) {
  actor_host host{client_network(s->nodes, s->network)};
  // At least a second: a healthy teardown on a busy machine is not cut short.
  host.set_shutdown_grace(
      std::clamp<std::chrono::milliseconds>(limit, std::chrono::seconds{1}, shutdown_grace));
  auto& sys = host.system();
  auto runtime = std::make_shared<http::runtime>(1);
  auto factory = actors::make_provider_factory(runtime, for_listing(*s, limit));
  caf::scoped_actor self{sys};
  // Providers, then nodes as the router sees them ("@name").
  std::vector<config::provider> targets;
  for (const auto& [name, p] : s->providers)
    targets.push_back(for_listing(p, limit));
  for (const auto& [name, n] : s->nodes)
    targets.push_back(for_listing(actors::remote_slot_settings(n), limit));
  std::vector<actors::provider_actor> actors;
  std::vector<listing> out;
  for (const auto& p : targets) {
    actors.push_back(factory(self.ptr(), p));
    out.push_back(listing{p.name, {}, std::nullopt});
  }
  if (actors.empty())
    return out;
  // All requests go out before the first answer is awaited.
  using handle = decltype(self->request(actors.front(), caf::infinite, actors::models_atom::value));
  std::vector<handle> pending;
  size_t i = 0;
  for (const auto& p : targets) {
    auto bound = p.timeout.total + std::chrono::seconds{5};
    pending.push_back(self->request(actors[i++], bound, actors::models_atom::value));
  }
  for (i = 0; i < pending.size(); ++i)
    pending[i].receive(
        [&](std::vector<model_info>& models) { out[i].models = std::move(models); },
        [&](caf::error& e) { out[i].error = scrub(to_string(actors::from_caf(e)), s->secrets()); });
  for (auto& a : actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  return out;
}

void print_table(std::ostream& out, const std::map<std::string, config::model_alias>& configured,
                 const std::vector<listing>& ls) {
  size_t w1 = 8, w2 = 5;
  for (const auto& l : ls) {
    w1 = std::max(w1, l.provider.size());
    for (const auto& m : l.models)
      w2 = std::max(w2, model_of(l, m).size());
    for (const auto& [alias, model] : unlisted(configured, l))
      w2 = std::max(w2, model.size());
  }
  auto pad = [](std::string text, size_t w) {
    return text.append(w + 2 - std::min(w, text.size()), ' ');
  };
  out << pad("PROVIDER", w1) << pad("MODEL", w2) << "ALIASES\n";
  for (const auto& l : ls) {
    if (l.error) {
      out << pad(l.provider, w1) << "error: " << *l.error << "\n";
      continue;
    }
    if (l.models.empty())
      out << pad(l.provider, w1) << "(no models)\n";
    for (const auto& m : l.models)
      out << pad(l.provider, w1) << pad(model_of(l, m), w2)
          << join(aliases_of(configured, l, m), ", ") << "\n";
    for (const auto& [alias, model] : unlisted(configured, l))
      out << pad(l.provider, w1) << pad(model, w2) << alias << " (not listed by the provider)\n";
  }
}

void print_json(std::ostream& out, const std::map<std::string, config::model_alias>& configured,
                const std::vector<listing>& ls) {
  boost::json::array providers;
  for (const auto& l : ls) {
    boost::json::object o{{"provider", l.provider}};
    if (l.error) {
      o["error"] = *l.error;
    } else {
      boost::json::array models;
      for (const auto& m : l.models) {
        boost::json::array aliases;
        for (const auto& a : aliases_of(configured, l, m))
          aliases.emplace_back(a);
        boost::json::object mo{{"id", model_of(l, m)}, {"aliases", aliases}};
        if (m.context_window)
          mo["context_window"] = *m.context_window;
        models.emplace_back(std::move(mo));
      }
      o["models"] = std::move(models);
      boost::json::array missing;
      for (const auto& [alias, model] : unlisted(configured, l))
        missing.emplace_back(boost::json::object{{"alias", alias}, {"model", model}});
      o["unlisted"] = std::move(missing);
    }
    providers.emplace_back(std::move(o));
  }
  app::print_json(out, boost::json::object{{"providers", providers}});
}

int run_models(context& ctx, bool json, double timeout_s) {
  auto loaded = load_settings(ctx);
  if (!loaded)
    return exit_usage;
  auto settings = std::make_shared<const config::settings>(std::move(*loaded));
  auto listings =
      ask_all(settings, std::chrono::milliseconds{static_cast<int64_t>(timeout_s * 1000)});
  if (json)
    print_json(ctx.out, settings->models, listings);
  else
    print_table(ctx.out, settings->models, listings);
  for (const auto& l : listings)
    if (l.error)
      return exit_failed;
  return exit_ok;
}

} // namespace

void add_models_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand("models", "list the models of every provider (all asked at "
                                            "once) and the aliases that point at them");
  add_config_flag(*cmd, ctx);
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "print one JSON document");
  auto timeout = std::make_shared<double>(15);
  cmd->add_option("--timeout", *timeout,
                  "seconds a provider or node has to list its models (default 15)")
      ->transform(number_check("seconds (0.1 to 600)", 0.1, 600, false));
  cmd->callback([&ctx, json, timeout] { ctx.exit = run_models(ctx, *json, *timeout); });
}

} // namespace et::app
