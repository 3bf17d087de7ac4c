#pragma once
/// The parts of `et chat` that need no actors: reading a typed line, the
/// conversation it keeps, and the markdown it writes.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/llm/chat.hpp"

namespace et::chat {

/// What a line typed into `et chat` asks for.
enum class chat_command : uint8_t {
  ask,     ///< a question for the role
  cost,    ///< /cost: spend of this chat so far
  reset,   ///< /reset: forget the conversation
  save,    ///< /save [FILE]: write the conversation as markdown
  quit,    ///< /quit (or end of input)
  help,    ///< /help
  nothing, ///< an empty line
  unknown, ///< a "/word" that is no command
};

/// A parsed line: the command and its text (the question, /save's file, or
/// the unknown command as typed).
struct chat_input {
  chat_command what = chat_command::nothing; ///< the command
  std::string text;                          ///< its argument
};

/// Parses what was entered. "//text" asks "/text", so a question may start with "/"; a text
/// of several lines (a paste) is always a question.
chat_input parse_chat_input(std::string_view line);

/// "/cost", "/reset", "/save", "/quit", "/help".
const std::vector<std::string>& chat_command_names();

/// The conversation of one chat: an optional system prompt, then turns.
class chat_history {
public:
  /// Starts empty; `system_prompt` leads every request.
  explicit chat_history(std::optional<std::string> system_prompt);

  /// The messages of a request asking `question` after the turns so far.
  std::vector<message> ask(const std::string& question) const;

  /// The most a conversation keeps, in bytes of its questions and answers: a request that big
  /// is past any model's context, and a chat left open for days must not grow without end.
  static constexpr size_t max_bytes = size_t{32} << 20;

  /// Keeps a finished turn (a failed one is never added), then forgets the oldest turns while
  /// the conversation is over `max_bytes` (never the newest one); returns how many it forgot.
  size_t add_turn(std::string question, std::string answer, size_t max = max_bytes);

  /// Forgets every turn; the system prompt stays.
  void reset() {
    turns_.clear();
    bytes_ = 0;
  }

  /// Finished turns.
  size_t turns() const { return turns_.size(); }

  /// The turns as markdown, the role named as `role`.
  std::string markdown(std::string_view role) const;

private:
  std::optional<std::string> system_;
  std::deque<std::pair<std::string, std::string>> turns_;
  size_t bytes_ = 0; // of turns_' questions and answers
};

/// One turn as markdown: "## you", the question, "## ROLE", the answer.
std::string markdown_turn(std::string_view role, std::string_view question,
                          std::string_view answer);

/// The start of a turn, up to where the answer goes; a transcript streams the
/// answer after it.
std::string markdown_turn_start(std::string_view role, std::string_view question);

/// What ends a turn whose answer was `answer`: a line break when it lacks
/// one, then a blank line.
std::string markdown_turn_end(std::string_view answer);

} // namespace et::chat
