// The `et` executable: hands its arguments to the command dispatcher.
#include <iostream>

#include "et/cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return et::app::run_cli(args, std::cout, std::cerr);
}
