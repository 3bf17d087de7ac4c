// The `et` executable: hands its arguments to the command dispatcher.
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "et/cli.hpp"
#include "et/network.hpp"

namespace {

// Whether stdout took everything: after EPIPE the stream stays failed.
bool stdout_intact() {
  std::cout.flush();
  return static_cast<bool>(std::cout);
}

} // namespace

int main(int argc, char** argv) {
  // A reader that goes away (`et run ... | head`) must not kill us before the
  // calls already made are recorded: writes fail with EPIPE instead, the
  // stream stops printing, and the command runs on to its end.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto code = et::app::run_cli(args, std::cout, std::cerr);
  if (code == et::app::exit_ok && !stdout_intact())
    code = et::app::exit_output_closed;
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
