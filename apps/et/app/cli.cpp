#include "et/app/cli.hpp"

#include <CLI/CLI.hpp>
#include <ostream>

#include "et/app/commands.hpp"
#include "et/util/text.hpp"

namespace et::app {

namespace {

const std::vector<std::string> command_names{"run",    "runs",    "serve",  "session", "chat",
                                             "models", "nodes",   "cost",   "keys",    "config",
                                             "index",  "context", "version"};

// The flags `app` takes: "--verify", "-k" (a command takes none of its parent's).
std::vector<std::string> flag_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* opt : app.get_options()) {
    for (const auto& l : opt->get_lnames())
      names.push_back("--" + l);
    for (const auto& s : opt->get_snames())
      names.push_back("-" + s);
  }
  return names;
}

// The command CLI11 left words over in: et itself or the command (or subcommand) given.
const CLI::App* holder_of_extras(const CLI::App& root) {
  for (const auto* a = &root;;) {
    if (a->remaining_size(false) > 0)
      return a;
    auto subs = a->get_subcommands();
    if (subs.empty())
      return nullptr;
    a = subs.front();
  }
}

// The words CLI11 did not expect, said the way a user reads them: each unknown flag with
// the nearest flag of the command it was given to, then the other words, in the order typed.
std::string explain_extras(const CLI::App& holder) {
  std::vector<std::string> flags, words;
  for (const auto& w : holder.remaining(false))
    (w.starts_with('-') ? flags : words).push_back(w);
  std::string out;
  auto known = flag_names(holder);
  for (const auto& f : flags) {
    auto name = f.substr(0, f.find('='));
    out += (out.empty() ? "unknown flag " : "; unknown flag ") + name;
    // "-x" is one edit from every short flag: only a long name is worth a guess.
    if (auto guess = name.size() > 2 ? nearest(name, known) : std::nullopt)
      out += " (did you mean " + *guess + "?)";
  }
  if (!words.empty())
    out += (out.empty() ? "unexpected " : "; unexpected ") + std::string{"argument"}
           + (words.size() == 1 ? " " : "s ") + join(words, " ");
  return out;
}

// CLI11 phrases errors for programmers; say what the user typed and what to do.
std::string explain(const CLI::ParseError& e, const CLI::App& root) {
  std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) == nullptr)
    return what;
  if (const auto* holder = holder_of_extras(root))
    return explain_extras(*holder);
  auto colon = what.find(": "); // "The following arguments were not expected: ..."
  return "unknown flags or arguments" + (colon == std::string::npos ? "" : what.substr(colon + 1));
}

// An unknown first word is most likely a mistyped command.
bool reject_unknown_command(const std::vector<std::string>& args, std::ostream& err) {
  if (args.empty() || args[0].empty() || args[0][0] == '-')
    return false;
  for (const auto& c : command_names)
    if (c == args[0])
      return false;
  err << "et: unknown command \"" << args[0] << "\"";
  if (auto guess = nearest(args[0], command_names))
    err << "; did you mean \"" << *guess << "\"?";
  err << "\n";
  return true;
}

// The command given, to its deepest subcommand (`keys revoke`), and its name as typed.
const CLI::App* given_command(const CLI::App& root, std::string& path) {
  path = "et";
  const CLI::App* at = &root;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    path += " " + at->get_name();
  }
  return at;
}

// A required word missing from a command: said for that command, with what it takes.
void explain_missing(const CLI::App& root, const CLI::RequiredError& e, std::ostream& err) {
  std::string path;
  const auto* cmd = given_command(root, path);
  auto subs = cmd->get_subcommands([](const CLI::App*) { return true; });
  auto extras = cmd->remaining(false);
  if (extras.empty())
    extras = root.remaining(false);
  if (!subs.empty()) {
    std::vector<std::string> names;
    for (const auto* sub : subs)
      names.push_back(sub->get_name());
    if (!extras.empty() && !extras.front().starts_with('-')) { // a mistyped subcommand
      err << path << ": unknown subcommand \"" << printable(extras.front(), 64) << "\"";
      if (auto guess = nearest(extras.front(), names))
        err << "; did you mean \"" << *guess << "\"?";
      err << " (" << join(names, ", ") << "; " << path << " --help for details)\n";
      return;
    }
    err << path << ": a subcommand is required: " << join(names, ", ");
  } else {
    err << path << ": " << e.what();
  }
  err << " (" << path << " --help for details)\n";
}

void print_usage(std::ostream& err) {
  err << "usage: et <command> [flags]   (commands: " << join(command_names, ", ")
      << "; et <command> --help for details)\n";
}

} // namespace

void add_config_flag(CLI::App& cmd, context& ctx) {
  cmd.add_option("--config", ctx.config_path,
                 "configuration file (default: ./electrictown.yaml once trusted with `et config "
                 "trust`, then $XDG_CONFIG_HOME/electrictown/electrictown.yaml, then "
                 "~/electrictown.yaml)");
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  context ctx{out, err, std::nullopt, exit_ok};
  CLI::App app{"et: routes coding work across LLM providers with an actor system", "et"};
  app.require_subcommand(1);
  add_config_flag(app, ctx);
  add_version_command(app, ctx);
  add_config_command(app, ctx);
  add_run_command(app, ctx);
  add_models_command(app, ctx);
  add_cost_command(app, ctx);
  add_runs_command(app, ctx);
  add_session_command(app, ctx);
  add_chat_command(app, ctx);
  add_serve_command(app, ctx);
  add_nodes_command(app, ctx);
  add_keys_command(app, ctx);
  add_index_command(app, ctx);
  add_context_command(app, ctx);
  if (reject_unknown_command(args, err)) {
    print_usage(err);
    return exit_usage;
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend()); // CLI11 pops from the back
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << (app.get_subcommands().empty() ? app.help() : app.get_subcommands().front()->help());
    return exit_ok;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return exit_ok;
  } catch (const CLI::RequiredError& e) {
    if (args.empty()) {
      out << app.help();
      return exit_usage;
    }
    if (app.get_subcommands().empty()) {
      err << "et: " << explain(e, app) << "\n";
      print_usage(err);
    } else {
      explain_missing(app, e, err);
    }
    return exit_usage;
  } catch (const CLI::ParseError& e) {
    err << "et: " << explain(e, app) << "\n";
    print_usage(err);
    return exit_usage;
  }
  return ctx.exit;
}

} // namespace et::app
