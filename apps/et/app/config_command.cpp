#include <CLI/CLI.hpp>
#include <cctype>
#include <filesystem>
#include <memory>
#include <ostream>

#include "et/app/commands.hpp"
#include "et/config/loader.hpp"
#include "et/config/locate.hpp"
#include "et/config/secrets.hpp"
#include "et/config/summary.hpp"
#include "et/config/trust.hpp"

namespace et::app {

namespace {

namespace fs = std::filesystem;

// A path as the user can paste it into a shell.
std::string shell_word(const std::string& text) {
  bool plain = !text.empty();
  for (char c : text)
    plain = plain
            && (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_'
                || c == '-' || c == '+' || c == ',' || c == '@' || c == ':');
  if (plain)
    return text;
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

const char* where_found(config::config_origin origin) {
  return origin == config::config_origin::working_dir ? "found in the current directory"
                                                      : "recorded by the run being resumed";
}

// True when a file of this origin may be used with these bytes; otherwise
// prints why (one line) and what to run.
bool trusted(context& ctx, const config::found_config& found, const std::string& bytes,
             const config::env_lookup& env) {
  if (!config::needs_trust(found.origin))
    return true;
  config::trust_store store{config::trust_file(env)};
  auto verdict = store.check(found.file, bytes);
  if (verdict && *verdict == config::trust_verdict::trusted)
    return true;
  auto name = found.file.string();
  ctx.err << "et: " << name;
  if (!verdict)
    ctx.err << " cannot be checked for trust (" << verdict.error().message << ")\n";
  else
    ctx.err << (*verdict == config::trust_verdict::changed ? " changed since it was trusted ("
                                                           : " is not trusted (")
            << where_found(found.origin) << "); review it, then run: et config trust "
            << shell_word(name)
            << (found.origin == config::config_origin::recorded ? " (or pass --config)" : "")
            << "\n";
  return false;
}

// `et config trust|untrust [FILE]`: FILE, else --config, else the file the lookup finds.
std::optional<fs::path> target(context& ctx, const std::string& file, const char* command) {
  if (!file.empty())
    return fs::path{file};
  auto found = config::find_config(ctx.config_path, fs::current_path(), config::process_env());
  if (!found) {
    ctx.err << "et config " << command << ": " << found.error().message << "\n";
    return std::nullopt;
  }
  return found->file;
}

int trust(context& ctx, const std::string& file) {
  auto path = target(ctx, file, "trust");
  if (!path)
    return exit_usage;
  auto bytes = config::read_config(*path);
  if (!bytes) {
    ctx.err << "et config trust: " << bytes.error().message << "\n";
    return exit_usage;
  }
  config::trust_store store{config::trust_file(config::process_env())};
  if (auto done = store.trust(*path, *bytes); !done) {
    ctx.err << "et config trust: " << done.error().message << "\n";
    return exit_failed;
  }
  std::error_code ec;
  ctx.out << "trusted " << fs::canonical(*path, ec).string() << " (sha256 "
          << config::sha256_hex(*bytes).substr(0, 16) << "); a change to it needs trust again\n";
  return exit_ok;
}

int untrust(context& ctx, const std::string& file) {
  auto path = target(ctx, file, "untrust");
  if (!path)
    return exit_usage;
  config::trust_store store{config::trust_file(config::process_env())};
  auto done = store.untrust(*path);
  if (!done) {
    ctx.err << "et config untrust: " << done.error().message << "\n";
    return exit_usage;
  }
  ctx.out << (*done ? "no longer trusted: " : "was not trusted: ") << path->string() << "\n";
  return exit_ok;
}

// The settings, checked; with `keys_needed` false, unset credential variables pass.
std::optional<config::settings> load_checked(context& ctx, bool keys_needed) {
  auto env = config::process_env();
  auto found = config::find_config(ctx.config_path, fs::current_path(), env);
  if (!found) {
    ctx.err << "et: " << found.error().message << "\n";
    ctx.exit = exit_usage;
    return std::nullopt;
  }
  if (ctx.config_recorded)
    found->origin = config::origin_of(found->file, env, config::config_origin::recorded);
  // The bytes checked for trust are the bytes parsed.
  auto bytes = config::read_config(found->file);
  if (!bytes) {
    ctx.err << "et: " << bytes.error().message << "\n";
    ctx.exit = exit_usage;
    return std::nullopt;
  }
  if (!trusted(ctx, *found, *bytes, env)) {
    ctx.exit = exit_usage;
    return std::nullopt;
  }
  auto loaded = config::check_string(*bytes, found->file.string(), env);
  if (!keys_needed)
    std::erase_if(loaded.diagnostics,
                  [](const config::diagnostic& d) { return d.credential_error; });
  if (!loaded.ok()) {
    ctx.err << config::to_string(loaded.diagnostics);
    ctx.exit = exit_usage;
    return std::nullopt;
  }
  for (const auto& warning : config::plaintext_secret_warnings(loaded.value))
    if (auto line = loaded.value.source + ": " + warning; ctx.warned.insert(line).second)
      ctx.err << "et: warning: " << line << "\n"; // a resume loads its config twice
  return std::move(loaded.value);
}

} // namespace

std::optional<config::settings> load_settings(context& ctx) {
  return load_checked(ctx, true);
}

std::optional<config::settings> load_settings_without_keys(context& ctx) {
  return load_checked(ctx, false);
}

std::optional<config::settings> load_state_settings(context& ctx) {
  if (!ctx.config_path
      && !config::find_config(std::nullopt, fs::current_path(), config::process_env()))
    return config::settings{};
  return load_checked(ctx, false);
}

void add_config_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand("config", "inspect and trust the configuration");
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
  auto file = std::make_shared<std::string>();
  auto* trust_cmd = cmd->add_subcommand(
      "trust", "trust a configuration file found in the current directory (its exact bytes at "
               "its path; a change needs trust again)");
  trust_cmd->add_option("file", *file, "the file (default: the one the lookup finds)");
  add_config_flag(*trust_cmd, ctx);
  trust_cmd->callback([&ctx, file] { ctx.exit = trust(ctx, *file); });
  auto* untrust_cmd =
      cmd->add_subcommand("untrust", "forget that a configuration file was trusted");
  untrust_cmd->add_option("file", *file, "the file (default: the one the lookup finds)");
  add_config_flag(*untrust_cmd, ctx);
  untrust_cmd->callback([&ctx, file] { ctx.exit = untrust(ctx, *file); });
}

} // namespace et::app
