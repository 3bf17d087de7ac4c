#pragma once
/// Shared by the files of `et session`: its flags, the tmux server it talks
/// to, and spawn (in session_spawn.cpp).

#include <optional>
#include <string>

#include "et/app/commands.hpp"
#include "et/session/client.hpp"

namespace et::app {

/// The flags of `et session spawn`.
struct spawn_flags {
  std::string role;    ///< "" = polecat (et) or the agent's name
  std::string dir;     ///< "" = the current directory
  std::string backend; ///< "", "tmux" or "byobu"
  std::string agent;   ///< "" or "et" = et chat; else a key under `agents`
  std::string prompt;  ///< the first prompt ("" = none)
};

/// The tmux server of et sessions: the backend from `--backend`, else byobu
/// when installed or BYOBU_BACKEND is set, else tmux; the socket from
/// ET_TMUX_SOCKET.
session::server session_server(const std::string& backend_flag);

/// Prints `what`'s failure as one line and returns its exit code: an unknown
/// session or text that cannot be sent is a usage error (2), anything else a failure (1).
int report(context& ctx, const std::string& what, const failure& f);

/// `et session spawn`.
int run_spawn(context& ctx, const spawn_flags& flags);

} // namespace et::app
