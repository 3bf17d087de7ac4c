#include <CLI/CLI.hpp>
#include <ostream>

#include "et/app/commands.hpp"
#include "et/util/allocator.hpp"
#include "et/util/version.hpp"

namespace et::app {

void add_version_command(CLI::App& root, context& ctx) {
  auto* cmd = root.add_subcommand("version", "print the version, commit, build type and allocator");
  cmd->callback([&ctx] {
    ctx.out << "et " << version_describe() << " (commit " << version_commit() << ", "
            << version_build_type() << " build, " << allocator_in_use() << ")\n";
    ctx.exit = exit_ok;
  });
}

} // namespace et::app
