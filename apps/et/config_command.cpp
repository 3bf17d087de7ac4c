#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>

#include "et/commands.hpp"
#include "et/config/loader.hpp"
#include "et/config/locate.hpp"
#include "et/config/summary.hpp"

namespace et::app {

std::optional<config::settings> load_settings(context& ctx) {
  auto env = config::process_env();
  auto path = config::locate(ctx.config_path, std::filesystem::current_path(), env);
  if (!path) {
    ctx.err << "et: " << path.error().message << "\n";
    ctx.exit = exit_usage;
    return std::nullopt;
  }
  auto loaded = config::check_file(*path, env);
  if (!loaded.ok()) {
    ctx.err << config::to_string(loaded.diagnostics);
    ctx.exit = exit_usage;
    return std::nullopt;
  }
  return std::move(loaded.value);
}

void add_config_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand("config", "inspect the configuration");
  cmd->require_subcommand(1);
  add_config_flag(*cmd, ctx);
  auto* check = cmd->add_subcommand(
      "check", "load and validate the configuration; print a summary with secrets redacted");
  add_config_flag(*check, ctx);
  check->callback([&ctx] {
    auto s = load_settings(ctx);
    if (!s)
      return;
    ctx.out << "config: " << s->source << " is valid\n" << config::describe(*s);
    ctx.exit = exit_ok;
  });
}

} // namespace et::app
