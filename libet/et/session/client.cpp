#include "et/session/client.hpp"

#include "et/session/env_file.hpp"

namespace et::session {

namespace {

constexpr int max_name_attempts = 16;

std::string first_line(const std::string& text) {
  auto line = text.substr(0, text.find('\n'));
  return line.empty() ? "failed without a message" : line;
}

} // namespace

client::client(server where, process_runner run)
    : server_(std::move(where)), run_(std::move(run)) {}

result<process_result> client::run_ok(const std::vector<std::string>& argv,
                                      std::string_view what) const {
  auto r = run_(argv);
  if (!r)
    return r.error();
  if (r->exit_code != 0)
    return make_failure(errc::io_error, "tmux " + std::string{what} + ": " + first_line(r->err));
  return r;
}

result<std::vector<session_info>> client::list() const {
  auto r = run_(list_sessions(server_));
  if (!r)
    return r.error();
  if (r->exit_code != 0) {
    if (is_no_server(r->err))
      return std::vector<session_info>{};
    return make_failure(errc::io_error, "tmux list-sessions: " + first_line(r->err));
  }
  return parse_sessions(r->out);
}

result<session_info> client::find(const std::string& name) const {
  auto all = list();
  if (!all)
    return all.error();
  for (auto& s : *all)
    if (s.name == name)
      return std::move(s);
  return make_failure(errc::not_found, "no et session named \"" + name + "\"");
}

result<std::string> client::create(const std::string& role, const std::string& dir,
                                   const launch_maker& make, const suffix_source& suffix,
                                   int64_t now) const {
  for (int attempt = 0; attempt < max_name_attempts; ++attempt) {
    auto name = session_name(role, suffix());
    auto what = make(name);
    auto command = what.command;
    std::filesystem::path env_file;
    if (!what.env.empty()) {
      auto file = write_env_file(
          what.env_dir.empty() ? std::filesystem::temp_directory_path() : what.env_dir, what.env);
      if (!file)
        return file.error();
      env_file = *file;
      command = with_env_file(env_file, what.command);
    }
    auto r = run_(new_session(server_, name, dir, command));
    if (!r || r->exit_code != 0) {
      if (!env_file.empty())
        remove_env_file(env_file); // no pane will read it
      if (!r)
        return r.error();
    }
    if (r->exit_code != 0 && is_duplicate_session(r->err))
      continue; // taken: draw another suffix
    if (r->exit_code != 0)
      return make_failure(errc::io_error, "tmux new-session: " + first_line(r->err));
    for (const auto& [key, value] : {std::pair{option::role, role},
                                     {option::dir, dir},
                                     {option::created, std::to_string(now)},
                                     {option::transcript, what.transcript}})
      if (auto set = run_ok(set_option(server_, name, key, value), "set-option"); !set)
        return make_failure(errc::io_error, "session " + name + " ended right after it started ("
                                                + set.error().message + ")");
    return name;
  }
  return make_failure(errc::io_error, "no free session name for role " + role + " after "
                                          + std::to_string(max_name_attempts) + " attempts");
}

result<void> client::kill(const std::string& name) const {
  if (auto s = find(name); !s)
    return s.error();
  if (auto r = run_ok(kill_session(server_, name), "kill-session"); !r)
    return r.error();
  return {};
}

result<void> client::send(const std::string& name, const std::string& text) const {
  if (auto why = unsendable(text))
    return make_failure(errc::invalid_input, *why);
  if (auto s = find(name); !s)
    return s.error();
  if (auto r = run_ok(send_text(server_, name, text), "send-keys"); !r)
    return r.error();
  if (auto r = run_ok(send_enter(server_, name), "send-keys"); !r)
    return r.error();
  return {};
}

result<std::string> client::capture(const std::string& name) const {
  if (auto s = find(name); !s)
    return s.error();
  auto r = run_ok(capture_pane(server_, name), "capture-pane");
  if (!r)
    return r.error();
  if (r->out_dropped > 0) { // a pane's history is as long as its history-limit says
    // What is kept starts at a line, not inside one (or inside a character).
    auto line = r->out.find('\n');
    auto from = line == std::string::npos ? r->out.size() : line + 1;
    return "[et: the first " + std::to_string(r->out_dropped + from)
           + " bytes of this pane's history were left out]\n" + r->out.substr(from);
  }
  return std::move(r->out);
}

} // namespace et::session
