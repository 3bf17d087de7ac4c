// The `agents` section: other agent CLIs that `et session spawn --agent NAME`
// launches in a tmux pane.
#include <algorithm>
#include <regex>

#include "et/config/detail/sections.hpp"
#include "et/util/text.hpp"

namespace et::config::detail {

namespace {

const std::vector<std::string> fill_words{"dir", "prompt", "role", "session"};

// Splits like a shell would, without expanding anything: white space separates
// words, '...' is literal, "..." allows \" and \\, a backslash outside quotes
// escapes the next character. The words are later run without a shell, so a
// prompt substituted into one can never become a command.
std::optional<std::vector<std::string>> split_words(const std::string& text, std::string& why) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word)
        words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
    } else if (c == '\'' || c == '"') {
      auto end = i + 1;
      for (; end < text.size() && text[end] != c; ++end) {
        if (c == '"' && text[end] == '\\' && end + 1 < text.size()
            && (text[end + 1] == '"' || text[end + 1] == '\\'))
          ++end;
        word += text[end];
      }
      if (end == text.size()) {
        why = std::string{"unbalanced "} + (c == '"' ? "double" : "single") + " quote";
        return std::nullopt;
      }
      i = end;
    } else {
      word += c;
    }
  }
  if (in_word)
    words.push_back(std::move(word));
  return words;
}

// The first `{name}` in the words that names none of fill_words, if any.
std::optional<std::string> unknown_fill_word(const std::vector<std::string>& words) {
  static const std::regex braces{"\\{([a-z_]+)\\}"};
  for (const auto& w : words)
    for (std::sregex_iterator i{w.begin(), w.end(), braces}, end; i != end; ++i)
      if (std::find(fill_words.begin(), fill_words.end(), (*i)[1].str()) == fill_words.end())
        return (*i)[1].str();
  return std::nullopt;
}

void read_command(reader& r, const located& at, const located& command_at, agent& out) {
  auto expanded = r.text_with_env(command_at);
  if (!expanded) {
    if (!command_at.node.IsDefined())
      r.error(at.node, command_at.path, "missing command (the agent's command line template)");
    return;
  }
  // A value put into the command line is there for every user of the machine to read (ps,
  // /proc/PID/cmdline), for as long as the agent runs: tokens go through env instead.
  if (expanded->had_reference)
    return r.error(command_at.node, command_at.path,
                   "an environment reference ($NAME) would put its value on the agent's command "
                   "line, which every user of the machine can read; pass it in env: (the agent "
                   "reads its environment), or write $$ for a dollar sign");
  auto text = std::optional<std::string>{std::move(expanded->text)};
  out.command = *text;
  std::string why;
  auto words = split_words(*text, why);
  if (!words)
    return r.error(command_at.node, command_at.path, why);
  if (words->empty())
    return r.error(command_at.node, command_at.path, "the command is empty");
  if (auto bad = unknown_fill_word(*words)) {
    std::string msg = "unknown placeholder {" + *bad + "}";
    if (auto guess = nearest(*bad, fill_words))
      msg += "; did you mean {" + *guess + "}?";
    msg += " (known: {dir}, {prompt}, {role}, {session})";
    return r.error(command_at.node, command_at.path, msg);
  }
  out.words = std::move(*words);
}

void read_env(reader& r, const located& at, agent& out) {
  static const std::regex name{"[A-Za-z_][A-Za-z0-9_]*"};
  for (const auto& [k, v] : r.entries(at)) {
    auto key = k.node.as<std::string>();
    if (!std::regex_match(key, name))
      r.error(k.node, k.path, "\"" + key + "\" is not a valid environment variable name");
    else if (auto value = r.text(v))
      out.env[key] = *value;
  }
}

void read_ready(reader& r, const located& at, agent& out) {
  auto text = r.text(at);
  if (!text)
    return;
  try {
    std::regex{*text}; // checked now so that a spawn never fails on it later
    out.ready = *text;
  } catch (const std::regex_error& e) {
    r.error(at.node, at.path, "not a valid regular expression: " + std::string{e.what()});
  }
}

void read_agent(reader& r, const std::string& name, const located& at, agent& out) {
  out.name = name;
  if (name == "et")
    r.error(at.node, at.path, "\"et\" is the built-in agent (et chat); choose another name");
  if (!r.expect_map(at))
    return;
  r.check_keys(at, {"command", "env", "ready"});
  read_command(r, at, r.child(at, "command"), out);
  read_env(r, r.child(at, "env"), out);
  read_ready(r, r.child(at, "ready"), out);
}

} // namespace

void read_agents(reader& r, const located& at, settings& out) {
  for (const auto& [key, value] : r.entries(at)) {
    auto name = key.node.as<std::string>();
    read_agent(r, name, value, out.agents[name]);
  }
}

} // namespace et::config::detail
