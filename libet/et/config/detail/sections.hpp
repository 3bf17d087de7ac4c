#pragma once
/// Internal to the loader: one parser per top-level section, and the
/// cross-reference validation that runs once every section is read.

#include "et/config/detail/reader.hpp"
#include "et/config/settings.hpp"

namespace et::config::detail {

/// `providers`: endpoints, auth, timeouts, the mock provider.
void read_providers(reader& r, const located& at, settings& out);
/// `models`: aliases with options and prices.
void read_models(reader& r, const located& at, settings& out);
/// `roles` or `specialists` (same shape; specialists may carry a description).
void read_roles(reader& r, const located& at, std::map<std::string, role>& out, bool specialists);
/// `defaults`.
void read_defaults(reader& r, const located& at, defaults& out);
/// `timeouts` (also used inside a provider).
void read_timeouts(reader& r, const located& at, timeouts& out);
/// `retry`, `cooldown`, `supervision`, `pricing`, `budgets`.
void read_policies(reader& r, const YAML::Node& root, settings& out);
/// `nodes` and `server`.
void read_network(reader& r, const YAML::Node& root, settings& out);
/// `agents`: agent CLIs for `et session spawn --agent`.
void read_agents(reader& r, const located& at, settings& out);
/// `verify`: sandbox mode and extra environment of verify commands; after
/// providers, nodes and server, whose secrets a listed variable must not hold.
void read_verify(reader& r, const located& at, settings& out);
/// The `context` section (after providers and models: its aliases must exist).
void read_context(reader& r, const located& at, settings& out);

/// `context`: retrieval settings (`fetch`: how --fetch reaches web pages).
void read_context(reader& r, const located& at, settings& out);
/// `context.fetch`: limits, allow_private and the reader endpoint of --fetch.
void read_context_fetch(reader& r, const located& at, fetch_settings& out);

/// Checks references between sections (aliases, providers, nodes, fallbacks,
/// pools) and the rules that need several sections at once.
void validate(reader& r, const YAML::Node& root, settings& s);

/// Resolves a path relative to the configuration file's folder; "~/" is home.
std::string resolve_path(const std::string& config_file, const std::string& path,
                         const env_lookup& env);

} // namespace et::config::detail
