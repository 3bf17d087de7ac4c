#include "et/app/chat_terminal.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "et/app/runtime.hpp"
#include "et/chat/line_render.hpp"
#include "et/util/private_files.hpp"

namespace et::app {

namespace {

// Asks the terminal to mark pasted text (ESC[200~ ... ESC[201~), and stops asking.
constexpr std::string_view bracketed_on = "\x1b[?2004h";
constexpr std::string_view bracketed_off = "\x1b[?2004l";

// A paste still open after this long without a byte was never going to end (a terminal that
// lost its end marker): the keys that follow are keys again, so Enter and Ctrl-C work.
constexpr int paste_quiet_ms = 2000;

// What the handlers need to give the terminal back: set while raw, read in a signal handler.
termios handler_modes{};
int handler_in = -1;
int handler_out = -1;
// SIGWINCH and SIGCONT wake the prompt through this pipe: any thread may take the signal.
int wake_pipe[2] = {-1, -1};

struct sigaction previous_term {};
struct sigaction previous_hup {};
struct sigaction previous_winch {};
struct sigaction previous_cont {};

// SIGTERM or SIGHUP while raw: give the terminal back, then die of the signal as before.
extern "C" void et_prompt_give_back(int sig) {
  ::tcsetattr(handler_in, TCSANOW, &handler_modes);
  [[maybe_unused]] auto n = ::write(handler_out, bracketed_off.data(), bracketed_off.size());
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

extern "C" void et_prompt_wake(int sig) {
  int saved = errno;
  char byte = static_cast<char>(sig);
  [[maybe_unused]] auto n = ::write(wake_pipe[1], &byte, 1);
  errno = saved;
}

void install(int sig, void (*handler)(int), struct sigaction& previous) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  // A resize must not interrupt another thread's system call (CAF's, Asio's, SQLite's): the
  // prompt learns of it through the pipe.
  sa.sa_flags = handler == et_prompt_wake ? SA_RESTART : 0;
  sigaction(sig, &sa, &previous);
  if (previous.sa_handler == SIG_IGN && handler == et_prompt_give_back)
    sigaction(sig, &previous, nullptr); // nohup: a hang-up stays ignored
}

chat::line_view view_of(int out) {
  chat::line_view v;
  winsize ws{};
  if (::ioctl(out, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    v.width = ws.ws_col;
    v.height = ws.ws_row;
  }
  return v;
}

} // namespace

std::unique_ptr<terminal_prompt> terminal_prompt::open(int in, int out) {
  termios modes{};
  if (::isatty(in) != 1 || ::isatty(out) != 1 || ::tcgetattr(in, &modes) != 0)
    return nullptr;
  if (wake_pipe[0] < 0 && ::pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    return nullptr;
  return std::unique_ptr<terminal_prompt>{new terminal_prompt{in, out, modes}};
}

terminal_prompt::terminal_prompt(int in, int out, const termios& modes)
    : in_(in), out_(out), cooked_(modes) {
  handler_modes = cooked_;
  handler_in = in_;
  handler_out = out_;
  install(SIGTERM, et_prompt_give_back, previous_term);
  install(SIGHUP, et_prompt_give_back, previous_hup);
  install(SIGWINCH, et_prompt_wake, previous_winch);
  install(SIGCONT, et_prompt_wake, previous_cont);
  set_modes(true);
}

terminal_prompt::~terminal_prompt() {
  write_all(out_, bracketed_off);
  ::tcsetattr(in_, TCSANOW, &cooked_);
  sigaction(SIGTERM, &previous_term, nullptr);
  sigaction(SIGHUP, &previous_hup, nullptr);
  sigaction(SIGWINCH, &previous_winch, nullptr);
  sigaction(SIGCONT, &previous_cont, nullptr);
}

// Raw in both cases: nothing typed is echoed into an answer or cooked into lines (an Enter
// typed ahead stays a CR, so it sends the question once the prompt is back). While a
// question is typed Ctrl-C and Ctrl-Z are keys (a paste holding them stays text); while an
// answer streams they are signals again, so Ctrl-C cancels the answer.
void terminal_prompt::set_modes(bool signals) {
  termios raw = cooked_;
  raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
  raw.c_cflag |= CS8;
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
  if (signals)
    raw.c_lflag |= ISIG;
  // Ctrl-\ would dump core with the terminal left raw: it is no signal here.
  raw.c_cc[VQUIT] = _POSIX_VDISABLE;
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  // TCSANOW, not TCSAFLUSH: what was typed ahead is kept. Output processing stays on, so a
  // line another thread prints still starts at the left.
  ::tcsetattr(in_, TCSANOW, &raw);
}

void terminal_prompt::draw() {
  write_all(out_, chat::render_line(view_of(out_), editor_.text(), editor_.cursor(), row_));
}

void terminal_prompt::done_drawing() {
  write_all(out_, chat::finish_line(view_of(out_), editor_.text(), row_));
}

void terminal_prompt::say(const std::string& text) {
  done_drawing();
  write_all(out_, text + "\r\n");
}

void terminal_prompt::suspend() {
  done_drawing();
  write_all(out_, bracketed_off);
  ::tcsetattr(in_, TCSANOW, &cooked_);
  ::raise(SIGTSTP); // stops here until `fg`
  write_all(out_, bracketed_on);
  set_modes(false);
}

// Waits until bytes are in pending_ or the prompt must end; false on the end (pending_ then
// says nothing) with `why` set.
bool terminal_prompt::wait_for_input(prompt_read& why) {
  for (;;) {
    pollfd fds[3] = {
        {in_, POLLIN, 0}, {wake_pipe[0], POLLIN, 0}, {interrupt_guard::wake_fd(), POLLIN, 0}};
    int ready = ::poll(fds, 3, editor_.pasting() ? paste_quiet_ms : -1);
    if (interrupt_guard::raised()) {
      why = prompt_read::interrupted;
      return false;
    }
    if (ready == 0) {
      editor_.end_paste();
      draw();
      continue;
    }
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready < 0) {
      why = prompt_read::end; // no way to wait for the terminal: nothing more can be read
      return false;
    }
    if (fds[2].revents & POLLIN)
      interrupt_guard::drain(); // an old Ctrl-C's byte, its flag already lowered
    if (fds[1].revents & POLLIN) {
      char sigs[32];
      auto n = ::read(wake_pipe[0], sigs, sizeof sigs);
      for (ssize_t i = 0; i < n; ++i)
        if (sigs[i] == SIGCONT) { // the shell may have set its own modes while we were stopped
          set_modes(false);
          write_all(out_, bracketed_on);
          write_all(out_, "\r\n"); // and printed below the old drawing: start a new one
          row_ = 0;
        }
      draw();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[4096];
      auto n = ::read(in_, buf, sizeof buf);
      if (n > 0) {
        pending_.assign(buf, static_cast<size_t>(n));
        return true;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      why = prompt_read::end; // end of file, or the terminal is gone (EIO)
      return false;
    }
  }
}

// Pastes are asked to come marked once the first prompt takes keys, and stay marked until the
// chat ends: one pasted while an answer streams waits as one paste for the next prompt (its
// line breaks are never Enter), and a ^C in it is a signal then, which cancels the answer and
// drops what waits. The mark is asked again at each prompt: a shell may have turned it off.
prompt_read terminal_prompt::read(std::string& line) {
  set_modes(false);
  write_all(out_, bracketed_on);
  draw();
  auto answer = prompt_read::question;
  line = read_question(answer);
  done_drawing();
  set_modes(true);
  return answer;
}

std::string terminal_prompt::read_question(prompt_read& why) {
  for (;;) {
    if (pending_.empty() && !wait_for_input(why))
      return {};
    bool dirty = false;
    size_t used = 0;
    while (used < pending_.size()) {
      auto event = editor_.feed(pending_[used++]);
      switch (event) {
        case chat::edit_event::none:
          break;
        case chat::edit_event::changed:
        case chat::edit_event::cancel:
          dirty = true;
          break;
        case chat::edit_event::too_long:
          say("et chat: a question holds at most " + std::to_string(editor_.max_bytes() >> 20)
              + " MiB; what came past that was dropped");
          dirty = true;
          break;
        case chat::edit_event::clear_screen:
          write_all(out_, "\x1b[H\x1b[2J");
          row_ = 0;
          dirty = true;
          break;
        case chat::edit_event::suspend:
          suspend();
          dirty = true;
          break;
        case chat::edit_event::submit:
        case chat::edit_event::end:
        case chat::edit_event::interrupt:
          pending_.erase(0, used);
          if (event != chat::edit_event::submit) {
            why = event == chat::edit_event::end ? prompt_read::end : prompt_read::interrupted;
            return {};
          }
          return editor_.take();
      }
    }
    pending_.clear();
    // A paste is drawn once it ends (or goes quiet): drawing it at each piece the terminal
    // hands over would cost its length squared.
    if (dirty && !editor_.pasting())
      draw();
  }
}

} // namespace et::app
