#include "et/cli.hpp"

#include <ostream>

#include "et/util/version.hpp"

namespace et::app {

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream&) {
  if (!args.empty() && args[0] == "version")
    out << "et " << version_describe() << "\n";
  return exit_ok;
}

} // namespace et::app
