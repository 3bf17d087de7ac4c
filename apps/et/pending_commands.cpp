#include <CLI/CLI.hpp>
#include <ostream>

#include "et/commands.hpp"

namespace et::app {

namespace {

struct pending {
  const char* name;
  const char* summary;
};

// Commands whose implementation lands in later steps. They are listed so that
// `et --help` shows the whole product, and they fail loudly instead of
// pretending to work.
constexpr pending commands[] = {
    {"serve", "run a node that other hosts use as remote pool members"},
    {"nodes", "show the configured remote nodes and their health"},
};

// The arguments of a pending command are read and ignored.
std::vector<std::string> extras_;

} // namespace

void add_pending_commands(CLI::App& root, context& ctx) {
  for (const auto& p : commands) {
    auto* cmd = root.add_subcommand(p.name, std::string{p.summary} + " (not supported yet)");
    // Accept anything so the error below is the one the user sees.
    cmd->allow_extras();
    add_config_flag(*cmd, ctx);
    cmd->add_option("args", extras_, "arguments")->expected(0, -1);
    cmd->callback([&ctx, name = p.name] {
      ctx.err << "et " << name << ": not supported yet in this build\n";
      ctx.exit = exit_usage;
    });
  }
}

} // namespace et::app
