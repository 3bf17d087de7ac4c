#include "et/session/launch.hpp"

#include <fcntl.h>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

namespace et::session {

namespace {

// One pass, so a value that contains "{dir}" or "{prompt}" is never itself replaced.
std::string fill(std::string_view word,
                 const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  for (size_t i = 0; i < word.size();) {
    bool replaced = false;
    for (const auto& [key, value] : values)
      if (word.substr(i, key.size()) == key) {
        out += value;
        i += key.size();
        replaced = true;
        break;
      }
    if (!replaced)
      out += word[i++];
  }
  return out;
}

} // namespace

std::filesystem::path transcript_file(const std::filesystem::path& state_dir,
                                      std::string_view name) {
  return state_dir / "sessions" / (std::string{name} + ".md");
}

int open_transcript(const std::filesystem::path& file, std::string_view name) {
  if (file.filename() != std::string{name} + ".md" || file.parent_path().filename() != "sessions")
    return -1;
  int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  struct stat st {};
  if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    ::close(fd);
    return -1;
  }
  return fd;
}

launch et_chat_launch(const launch_request& r, const std::string& name) {
  launch out;
  out.transcript = transcript_file(r.state_dir, name).string();
  out.command = {r.et_binary.string(), "chat",         "--role",      r.role, "--config",
                 r.config.string(),    "--transcript", out.transcript};
  if (!r.prompt.empty()) {
    // "--" keeps a prompt that starts with "-" from reading as a flag.
    out.command.push_back("--");
    out.command.push_back(r.prompt);
  }
  return out;
}

launch agent_launch(const config::agent& a, const launch_request& r, const std::string& name) {
  launch out;
  // Each placeholder fills part of one word: the prompt stays one argument.
  std::vector<std::pair<std::string, std::string>> values{
      {"{dir}", r.dir}, {"{role}", r.role}, {"{session}", name}, {"{prompt}", r.prompt}};
  for (const auto& word : a.words)
    out.command.push_back(fill(word, values));
  out.env = a.env;
  out.env_dir = r.state_dir / "sessions";
  return out;
}

std::optional<std::string> option_like_fill(const config::agent& a, const launch_request& r) {
  const std::pair<std::string_view, const std::string*> fills[] = {{"{prompt}", &r.prompt},
                                                                   {"{role}", &r.role}};
  for (const auto& word : a.words) {
    if (word == "--")
      return std::nullopt; // what follows is operands, whatever it starts with
    for (auto [word_fill, value] : fills)
      if (word.starts_with(word_fill) && value->starts_with('-'))
        return "the " + std::string{word_fill == "{prompt}" ? "first prompt" : "role"} + " \""
               + *value + "\" starts with \"-\" and would reach agent " + a.name
               + " as an option; put -- before " + std::string{word_fill}
               + " in its command to take it as text";
  }
  return std::nullopt;
}

bool takes_prompt(const config::agent& a) {
  for (const auto& w : a.words)
    if (w.find("{prompt}") != std::string::npos)
      return true;
  return false;
}

bool is_ready(const config::agent& a, std::string_view screen) {
  if (a.ready.empty())
    return true;
  // The loader has checked that the expression compiles. Only the end of the pane's history
  // is looked at: libstdc++ matches recursively, and a long line of agent output under a
  // pattern such as ".*x" would run it out of stack.
  constexpr size_t tail = 4096;
  if (screen.size() > tail)
    screen.remove_prefix(screen.size() - tail);
  return std::regex_search(screen.begin(), screen.end(), std::regex{a.ready});
}

} // namespace et::session
