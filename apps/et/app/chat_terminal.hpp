#pragma once
/// `et chat`'s prompt on a terminal: raw mode while the chat runs, line editing and bracketed
/// paste (chat/line_editor, chat/line_render), and the terminal's modes given back on every way
/// out (the end of the chat, Ctrl-Z, SIGTERM, SIGHUP).

#include <cstdint>
#include <memory>
#include <string>
#include <termios.h>

#include "et/chat/line_editor.hpp"

namespace et::app {

/// How reading a question ended.
enum class prompt_read : uint8_t {
  question,    ///< a question (or a /command) was entered
  end,         ///< Ctrl-D on an empty line, or the terminal went away
  interrupted, ///< Ctrl-C on an empty line, or SIGINT
};

/// Reads questions from a terminal with line editing.
class terminal_prompt {
public:
  /// A prompt reading `in` and drawing on `out` when both are terminals whose modes can be
  /// read; null otherwise (a pipe, a file: read lines as they come).
  static std::unique_ptr<terminal_prompt> open(int in, int out);

  ~terminal_prompt();
  terminal_prompt(const terminal_prompt&) = delete;
  terminal_prompt& operator=(const terminal_prompt&) = delete;

  /// Reads one question into `line`. From the first prompt on, pastes come marked and nothing
  /// typed is echoed (what is typed during an answer waits for the next prompt); the
  /// destructor gives the terminal back as it was.
  prompt_read read(std::string& line);

private:
  terminal_prompt(int in, int out, const termios& modes);
  void set_modes(bool signals);
  std::string read_question(prompt_read& why);
  void draw();
  void done_drawing();
  void say(const std::string& text);
  bool wait_for_input(prompt_read& why);
  void suspend();

  int in_;
  int out_;
  termios cooked_;
  size_t row_ = 0;      // the terminal's cursor row within the last drawing
  std::string pending_; // bytes read past the last question (typed ahead)
  chat::line_editor editor_;
};

} // namespace et::app
