// The `et` executable: hands its arguments to the command dispatcher.
#include <cstdlib>
#include <iostream>

#include "et/cli.hpp"
#include "et/network.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto code = et::app::run_cli(args, std::cout, std::cerr);
  if (et::app::shutdown_abandoned()) {
    // The command finished and said everything; only CAF's networking would not stop.
    std::cerr << "et: warning: networking did not stop within " << et::app::shutdown_grace.count()
              << " s (a node froze mid-handshake?); exiting anyway\n";
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(code);
  }
  return code;
}
