// The `et` executable: hands its arguments to the command dispatcher.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>

#include <unistd.h>

#include "et/app/cli.hpp"
#include "et/app/network.hpp"
#include "et/util/terminal.hpp"

namespace {

// Model text and upstream messages reach the terminal through std::cout and std::cerr from
// many places; sanitising the streams themselves covers every one of them (see
// et/util/terminal.hpp). Pipes and files get the bytes exactly as they are.
class sanitize_if_terminal {
public:
  sanitize_if_terminal(std::ostream& stream, int fd) : stream_(stream), old_(stream.rdbuf()) {
    if (::isatty(fd) == 1) {
      buf_.emplace(old_);
      stream_.rdbuf(&*buf_);
    }
  }
  ~sanitize_if_terminal() {
    if (buf_) {
      stream_.flush();
      stream_.rdbuf(old_);
    } // buf_ then writes what it still holds into old_
  }
  sanitize_if_terminal(const sanitize_if_terminal&) = delete;
  sanitize_if_terminal& operator=(const sanitize_if_terminal&) = delete;

private:
  std::ostream& stream_;
  std::streambuf* old_;
  std::optional<et::sanitizing_streambuf> buf_;
};

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
  int code = 0;
  {
    sanitize_if_terminal out{std::cout, STDOUT_FILENO};
    sanitize_if_terminal err{std::cerr, STDERR_FILENO};
    code = et::app::run_cli(args, std::cout, std::cerr);
  }
  if (code == et::app::exit_ok && !stdout_intact())
    code = et::app::exit_output_closed;
  if (et::app::shutdown_abandoned()) {
    // The command finished and said everything; only CAF's networking would not stop.
    std::cerr << "et: warning: networking did not stop in time (a node froze mid-handshake?); "
                 "exiting anyway\n";
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(code);
  }
  return code;
}
