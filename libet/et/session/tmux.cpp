#include "et/session/tmux.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace et::session {

namespace {

// list-sessions prints fields as they are, so they are separated by a control
// character that no name, role or path reasonably contains (set_option strips it).
constexpr char field_sep = '\x1f';

const std::string list_format = std::string{"#{session_name}"} + field_sep + "#{" + option::role
                                + "}" + field_sep + "#{" + option::dir + "}" + field_sep + "#{"
                                + option::created + "}" + field_sep + "#{session_created}"
                                + field_sep + "#{" + option::transcript + "}" + field_sep
                                + "#{pane_title}";

// tmux splits its command line into commands at arguments ending in ";"
// (even after "--"); a trailing "\;" stands for a literal ";".
std::string escape_arg(std::string arg) {
  if (!arg.empty() && arg.back() == ';')
    arg.insert(arg.size() - 1, "\\");
  return arg;
}

std::vector<std::string> command(const server& s, bool via_byobu, std::vector<std::string> args) {
  std::vector<std::string> out{"tmux"};
  // byobu passes its arguments on to tmux; its screen backend would put the
  // session where list, send and logs (plain tmux) cannot see it.
  if (via_byobu && s.kind == backend::byobu)
    out = {"env", "BYOBU_BACKEND=tmux", "byobu"};
  if (!s.socket.empty()) {
    out.push_back("-L");
    out.push_back(s.socket);
  }
  for (auto& a : args)
    out.push_back(escape_arg(std::move(a)));
  return out;
}

// "=NAME" matches the session exactly (plain NAME also takes a prefix); the
// trailing ":" makes it a window/pane target: its current window and pane.
std::string session_target(const std::string& name) {
  return "=" + name;
}
std::string pane_target(const std::string& name) {
  return "=" + name + ":";
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    auto end = line.find(sep, start);
    out.push_back(line.substr(start, end - start));
    if (end == std::string_view::npos)
      return out;
    start = end + 1;
  }
}

int64_t to_int(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc{} && end == text.data() + text.size() ? v : 0;
}

} // namespace

std::string_view to_string(backend b) {
  return b == backend::byobu ? "byobu" : "tmux";
}

std::optional<backend> parse_backend(std::string_view name) {
  if (name == "tmux")
    return backend::tmux;
  if (name == "byobu")
    return backend::byobu;
  return std::nullopt;
}

backend choose_backend(std::optional<backend> flag, bool byobu_on_path, bool byobu_env_set) {
  if (flag)
    return *flag;
  return byobu_on_path || byobu_env_set ? backend::byobu : backend::tmux;
}

std::string session_name(std::string_view role, uint16_t suffix) {
  std::string safe;
  for (char c : role)
    safe += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_';
  char hex[8];
  std::snprintf(hex, sizeof hex, "%04x", static_cast<unsigned>(suffix));
  return "et-" + (safe.empty() ? std::string{"agent"} : safe) + "-" + hex;
}

std::string literal_format(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '#')
      out += '#';
  }
  return out;
}

std::vector<std::string> new_session(const server& s, const std::string& name,
                                     const std::string& dir, const std::vector<std::string>& cmd) {
  // A detached session is 80x24 unless told otherwise; wider panes wrap less
  // of what the agent prints before anyone attaches. tmux expands formats in -c: a folder
  // named "x#(cmd)" would run cmd.
  std::vector<std::string> args{"new-session",       "-d", "-s",  name, "-c",
                                literal_format(dir), "-x", "160", "-y", "48"};
  // Several words after "--" are executed directly, without a shell; a single word would be
  // run by `$SHELL -c`, so a prompt or folder filled into it would be shell code: env runs it.
  args.push_back("--");
  if (cmd.size() == 1)
    args.insert(args.end(), {"env", "--"});
  args.insert(args.end(), cmd.begin(), cmd.end());
  return command(s, true, std::move(args));
}

std::vector<std::string> set_option(const server& s, const std::string& name,
                                    const std::string& key, const std::string& value) {
  std::string clean = value;
  std::replace_if(
      clean.begin(), clean.end(), [](char c) { return c == '\n' || c == field_sep; }, '_');
  return command(s, false, {"set-option", "-t", pane_target(name), key, clean});
}

std::vector<std::string> list_sessions(const server& s) {
  return command(s, false, {"list-sessions", "-F", list_format});
}

std::vector<std::string> kill_session(const server& s, const std::string& name) {
  return command(s, false, {"kill-session", "-t", session_target(name)});
}

std::optional<std::string> unsendable(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\r')
      return std::string{"the text contains a line break, after which the pane would run the rest "
                         "as a separate command; send one line at a time"};
    // C0 controls, DEL, and C1 controls as UTF-8 (U+0080..U+009F: 0xC2 0x80..0x9F).
    bool c1 = c == 0xc2 && i + 1 < text.size()
              && (static_cast<unsigned char>(text[i + 1]) & 0xe0) == 0x80;
    if ((c < 0x20 && c != '\t') || c == 0x7f || c1) {
      char code[16];
      std::snprintf(code, sizeof code, "0x%02x",
                    c1 ? static_cast<unsigned>(static_cast<unsigned char>(text[i + 1])) : c);
      return "the text contains control character " + std::string{code}
             + "; control characters (ESC and the like) are not sent";
    }
  }
  return std::nullopt;
}

std::vector<std::string> send_text(const server& s, const std::string& name,
                                   const std::string& text) {
  return command(s, false, {"send-keys", "-t", pane_target(name), "-l", "--", text});
}

std::vector<std::string> send_enter(const server& s, const std::string& name) {
  return command(s, false, {"send-keys", "-t", pane_target(name), "Enter"});
}

std::vector<std::string> capture_pane(const server& s, const std::string& name) {
  return command(s, false, {"capture-pane", "-p", "-J", "-S", "-", "-t", pane_target(name)});
}

std::vector<std::string> attach(const server& s, const std::string& name, bool inside_tmux) {
  if (inside_tmux)
    return command(s, false, {"switch-client", "-t", session_target(name)});
  return command(s, true, {"attach-session", "-t", session_target(name)});
}

std::vector<session_info> parse_sessions(std::string_view text) {
  std::vector<session_info> out;
  for (auto line : split(text, '\n')) {
    auto f = split(line, field_sep);
    if (f.size() < 7 || !f[0].starts_with("et-"))
      continue; // not ours, or a blank line
    session_info s{std::string{f[0]}, std::string{f[1]}, std::string{f[2]},
                   std::string{f[5]}, to_int(f[3]),      ""};
    if (s.created == 0)
      s.created = to_int(f[4]);
    // The pane title is last and may itself contain the separator.
    auto title_start = static_cast<size_t>(f[5].data() - line.data()) + f[5].size() + 1;
    s.state = state_from_title(line.substr(title_start));
    out.push_back(std::move(s));
  }
  return out;
}

bool is_no_server(std::string_view err) {
  // The socket is missing, or it exists but nobody listens on it.
  return err.find("no server running") != std::string_view::npos
         || (err.find("error connecting to") != std::string_view::npos
             && (err.find("No such file or directory") != std::string_view::npos
                 || err.find("Connection refused") != std::string_view::npos));
}

bool is_duplicate_session(std::string_view err) {
  return err.find("duplicate session") != std::string_view::npos;
}

std::string state_from_title(std::string_view pane_title) {
  if (pane_title == title::busy)
    return "busy";
  if (pane_title == title::idle)
    return "idle";
  return "-";
}

std::string format_age(int64_t seconds) {
  seconds = std::max<int64_t>(seconds, 0);
  if (seconds < 60)
    return std::to_string(seconds) + "s";
  if (seconds < 3600)
    return std::to_string(seconds / 60) + "m";
  if (seconds < 86400)
    return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

std::string format_table(const std::vector<session_info>& sessions, int64_t now) {
  std::vector<std::vector<std::string>> rows{{"NAME", "ROLE", "DIR", "AGE", "STATE"}};
  for (const auto& s : sessions)
    rows.push_back({s.name, s.role.empty() ? "-" : s.role, s.dir.empty() ? "-" : s.dir,
                    s.created > 0 ? format_age(now - s.created) : "-", s.state});
  std::vector<size_t> width(5, 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i)
      width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i)
      line += r[i] + (i + 1 < r.size() ? std::string(width[i] - r[i].size() + 2, ' ') : "");
    out += line + "\n";
  }
  return out;
}

std::string title_escape(std::string_view title) {
  return "\033]2;" + std::string{title} + "\033\\";
}

} // namespace et::session
