#pragma once
/// tmux (and byobu, which drives tmux) as `et session` uses it: the argv of
/// every operation and the parsing of what tmux prints. Pure functions; the
/// client (client.hpp) runs them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/session/process.hpp"

namespace et::session {

/// Which program hosts the sessions.
enum class backend : uint8_t { tmux, byobu };

/// "tmux" or "byobu".
std::string_view to_string(backend b);

/// Parses "tmux" or "byobu".
std::optional<backend> parse_backend(std::string_view name);

/// The flag when given; else byobu when it is installed or BYOBU_BACKEND is
/// set; else tmux.
backend choose_backend(std::optional<backend> flag, bool byobu_on_path, bool byobu_env_set);

/// The tmux server the sessions live on.
struct server {
  backend kind = backend::tmux; ///< byobu (as BYOBU_BACKEND=tmux) only starts and attaches
  std::string socket;           ///< tmux -L name ("" = the default server)
};

/// The environment variable naming a private tmux socket (tmux -L), so tests
/// and experiments never touch the user's own sessions.
inline constexpr const char* socket_env = "ET_TMUX_SOCKET";

/// One et session as list-sessions reports it.
struct session_info {
  std::string name;       ///< e.g. et-polecat-3f2a
  std::string role;       ///< @et-role ("" when not set)
  std::string dir;        ///< @et-dir
  std::string transcript; ///< @et-transcript: the agent's transcript file ("" = none)
  int64_t created = 0;    ///< @et-created, else tmux's session_created (Unix seconds)
  std::string state;      ///< "busy", "idle" or "-" (from the pane title)
  bool operator==(const session_info&) const = default;
};

/// The tmux user options et keeps on each session.
namespace option {
inline constexpr const char* role = "@et-role";             ///< the role
inline constexpr const char* dir = "@et-dir";               ///< the working directory
inline constexpr const char* created = "@et-created";       ///< Unix seconds
inline constexpr const char* transcript = "@et-transcript"; ///< transcript file
} // namespace option

/// The pane titles `et chat` sets around each answer.
namespace title {
inline constexpr const char* busy = "et:busy"; ///< answering
inline constexpr const char* idle = "et:idle"; ///< waiting for input
} // namespace title

/// The OSC 2 sequence that sets a terminal's (a tmux pane's) title.
std::string title_escape(std::string_view title);

/// "et-{role}-{4 hex}"; characters tmux refuses in names (".", ":") and
/// anything outside [A-Za-z0-9_-] become "_".
std::string session_name(std::string_view role, uint16_t suffix);

/// `text` as tmux takes it literally where it expands formats ("#" written "##"): a folder
/// named "proj-#(id)" must not run `id`.
std::string literal_format(std::string_view text);

/// Starts a detached session NAME in DIR running `command` directly (no
/// shell). There is no environment parameter: tmux's -e puts values on its
/// command line, readable by every local user (env_file.hpp passes them).
std::vector<std::string> new_session(const server& s, const std::string& name,
                                     const std::string& dir,
                                     const std::vector<std::string>& command);

/// Sets a session's user option.
std::vector<std::string> set_option(const server& s, const std::string& name,
                                    const std::string& key, const std::string& value);

/// Lists every session in the format parse_sessions reads.
std::vector<std::string> list_sessions(const server& s);

/// Ends a session and its agent.
std::vector<std::string> kill_session(const server& s, const std::string& name);

/// Why `text` cannot be typed into a pane, or nullopt when it can: a line
/// break (the pane would run what follows as a separate command) or another
/// control character (ESC and the like drive the terminal and the program in it).
std::optional<std::string> unsendable(std::string_view text);

/// Types `text` into the session's active pane literally (no key names).
std::vector<std::string> send_text(const server& s, const std::string& name,
                                   const std::string& text);

/// Presses Enter in the session's active pane.
std::vector<std::string> send_enter(const server& s, const std::string& name);

/// Prints the active pane's whole history, wrapped lines joined.
std::vector<std::string> capture_pane(const server& s, const std::string& name);

/// Attaches the terminal to the session (switch-client when already inside tmux).
std::vector<std::string> attach(const server& s, const std::string& name, bool inside_tmux);

/// The et-* sessions in list_sessions output.
std::vector<session_info> parse_sessions(std::string_view text);

/// True when tmux failed because no server runs on the socket (so no sessions).
bool is_no_server(std::string_view err);

/// True when new-session failed because the name is taken.
bool is_duplicate_session(std::string_view err);

/// "busy", "idle" or "-" from a pane title.
std::string state_from_title(std::string_view pane_title);

/// "42s", "5m", "3h", "2d".
std::string format_age(int64_t seconds);

/// The table of `et session list`: NAME ROLE DIR AGE STATE, ages at `now`.
std::string format_table(const std::vector<session_info>& sessions, int64_t now);

} // namespace et::session
