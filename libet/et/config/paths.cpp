#include "et/config/paths.hpp"

namespace et::config {

std::filesystem::path state_dir(const settings& s, const env_lookup& env) {
  if (!s.defaults.state_dir.empty())
    return s.defaults.state_dir;
  if (auto xdg = env("XDG_STATE_HOME"); xdg && !xdg->empty())
    return std::filesystem::path{*xdg} / "electrictown";
  auto home = env("HOME");
  return std::filesystem::path{home ? *home : "."} / ".local" / "state" / "electrictown";
}

std::filesystem::path ledger_file(const settings& s, const env_lookup& env) {
  return state_dir(s, env) / "ledger.sqlite";
}

std::filesystem::path runs_dir(const settings& s, const env_lookup& env) {
  if (!s.defaults.runs_dir.empty())
    return s.defaults.runs_dir;
  return state_dir(s, env) / "runs";
}

} // namespace et::config
