#pragma once
/// The commands of `et`: each file adds one subcommand to the CLI11 app and
/// runs it through a shared context.

#include <iosfwd>
#include <optional>
#include <set>
#include <string>

#include "et/app/cli.hpp"
#include "et/config/settings.hpp"

namespace CLI {
class App;
} // namespace CLI

namespace et::app {

/// What every command shares: streams, global flags, and the exit code it sets.
struct context {
  std::ostream& out;                      ///< results
  std::ostream& err;                      ///< diagnostics
  std::optional<std::string> config_path; ///< --config, when given
  bool config_recorded = false;           ///< config_path came from a run journal, not the user
  int exit = exit_ok;                     ///< set by the command that ran
  std::set<std::string> warned;           ///< config warnings said already (once each)
};

/// Adds --config to a command (it may stand before or after the command name).
void add_config_flag(CLI::App& cmd, context& ctx);

/// `et version`.
void add_version_command(CLI::App& root, context& ctx);
/// `et config check`.
void add_config_command(CLI::App& root, context& ctx);
/// `et run`.
void add_run_command(CLI::App& root, context& ctx);
/// `et cost`.
void add_cost_command(CLI::App& root, context& ctx);
/// `et runs` and `et runs show ID`.
void add_runs_command(CLI::App& root, context& ctx);
/// `et session spawn|list|attach|kill|send|logs`.
void add_session_command(CLI::App& root, context& ctx);
/// `et chat`.
void add_chat_command(CLI::App& root, context& ctx);
/// `et models`.
void add_models_command(CLI::App& root, context& ctx);
/// `et serve`.
void add_serve_command(CLI::App& root, context& ctx);
/// `et nodes`.
void add_nodes_command(CLI::App& root, context& ctx);
/// `et keys create|list|revoke`.
void add_keys_command(CLI::App& root, context& ctx);
/// `et index [PATH...]` and `et index --status`.
void add_index_command(CLI::App& root, context& ctx);
/// `et context query TEXT`.
void add_context_command(CLI::App& root, context& ctx);

/// Finds and loads the configuration (--config or the lookup path); prints
/// every problem and sets exit_usage on failure. A file found in the working
/// directory (or recorded in a journal) must be trusted first (config/trust.hpp):
/// every command that loads a configuration comes through here.
std::optional<config::settings> load_settings(context& ctx);

/// Like load_settings(), for a command that calls no provider (`et keys`, `et cost`, `et runs`):
/// a credential whose variable is not set is no problem to it (the other providers' keys need
/// not be exported to manage gateway keys or read the ledger).
std::optional<config::settings> load_settings_without_keys(context& ctx);

/// Like load_settings_without_keys(), for a command that reads et's own state (`et runs`,
/// `et cost`): with no --config and none found, the defaults (the default state dir).
std::optional<config::settings> load_state_settings(context& ctx);

} // namespace et::app
