#include "et/chat/chat.hpp"

#include "et/util/text.hpp"

namespace et::chat {

chat_input parse_chat_input(std::string_view line) {
  auto t = trim(line);
  if (t.empty())
    return {chat_command::nothing, ""};
  // A command is one line: a text of several lines is a question, whatever starts it.
  if (t[0] != '/' || t.find('\n') != std::string_view::npos)
    return {chat_command::ask, std::string{t}};
  if (t.starts_with("//"))
    return {chat_command::ask, std::string{t.substr(1)}};
  auto space = t.find_first_of(" \t");
  auto word = t.substr(0, space);
  auto arg = space == std::string_view::npos ? std::string{} : std::string{trim(t.substr(space))};
  if (word == "/cost")
    return {chat_command::cost, arg};
  if (word == "/reset")
    return {chat_command::reset, arg};
  if (word == "/save")
    return {chat_command::save, arg};
  if (word == "/quit" || word == "/exit")
    return {chat_command::quit, arg};
  if (word == "/help" || word == "/?")
    return {chat_command::help, arg};
  return {chat_command::unknown, std::string{word}};
}

const std::vector<std::string>& chat_command_names() {
  static const std::vector<std::string> names{"/cost", "/reset", "/save", "/quit", "/help"};
  return names;
}

chat_history::chat_history(std::optional<std::string> system_prompt)
    : system_(std::move(system_prompt)) {}

std::vector<message> chat_history::ask(const std::string& question) const {
  std::vector<message> out;
  if (system_)
    out.push_back(message{role::system, *system_, {}, {}, {}});
  for (const auto& [q, a] : turns_) {
    out.push_back(message{role::user, q, {}, {}, {}});
    out.push_back(message{role::assistant, a, {}, {}, {}});
  }
  out.push_back(message{role::user, question, {}, {}, {}});
  return out;
}

size_t chat_history::add_turn(std::string question, std::string answer, size_t max) {
  bytes_ += question.size() + answer.size();
  turns_.emplace_back(std::move(question), std::move(answer));
  size_t forgot = 0;
  while (bytes_ > max && turns_.size() > 1) {
    bytes_ -= turns_.front().first.size() + turns_.front().second.size();
    turns_.pop_front();
    ++forgot;
  }
  return forgot;
}

std::string chat_history::markdown(std::string_view role) const {
  std::string out;
  for (const auto& [q, a] : turns_)
    out += markdown_turn(role, q, a);
  return out;
}

std::string markdown_turn(std::string_view role, std::string_view question,
                          std::string_view answer) {
  return markdown_turn_start(role, question) + std::string{answer} + markdown_turn_end(answer);
}

std::string markdown_turn_start(std::string_view role, std::string_view question) {
  return "## you\n\n" + std::string{question} + "\n\n## " + std::string{role} + "\n\n";
}

std::string markdown_turn_end(std::string_view answer) {
  return !answer.empty() && answer.back() != '\n' ? "\n\n" : "\n";
}

} // namespace et::chat
