#include "et/config/paths.hpp"

#include <algorithm>
#include <utility>
#include <vector>

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

namespace {

namespace fs = std::filesystem;

// `p` made absolute with its links resolved as far as it exists.
fs::path resolved(const fs::path& p) {
  std::error_code ec;
  auto out = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::absolute(p).lexically_normal() : out;
}

// Whether `inner` is `outer` or lies below it.
bool within(const fs::path& inner, const fs::path& outer) {
  auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end() || (std::next(o) == outer.end() && o->empty()); // "a/" holds "a/b"
}

} // namespace

std::string refused_output_dir(const fs::path& output_dir, const settings& s, const env_lookup& env,
                               const fs::path& unchecked_config) {
  auto out = resolved(output_dir);
  if (!unchecked_config.empty() && within(resolved(unchecked_config), out))
    return "it holds the config file " + resolved(unchecked_config).string()
           + " (given with --config, so read without a trust check)";
  auto home = env("HOME");
  if (home && !home->empty() && within(resolved(*home), out))
    return "it is or holds the home folder " + resolved(*home).string();
  std::vector<std::pair<fs::path, const char*>> own{
      {state_dir(s, env), "et's state dir"},
      {runs_dir(s, env), "et's runs dir"},
      {state_dir(settings{}, env), "et's default state dir (trusted configs, seals)"}};
  if (auto xdg = env("XDG_CONFIG_HOME"); xdg && !xdg->empty())
    own.emplace_back(fs::path{*xdg} / "electrictown", "et's config folder");
  else if (home && !home->empty())
    own.emplace_back(fs::path{*home} / ".config" / "electrictown", "et's config folder");
  if (home && !home->empty()) // what a file written there would grant: logins, code on PATH
    for (const char* dir : {".ssh", ".gnupg", ".local/bin"})
      own.emplace_back(fs::path{*home} / dir, "a folder of your home that grants access");
  for (const auto& [dir, what] : own) {
    auto mine = resolved(dir);
    if (within(mine, out))
      return "it holds " + std::string{what} + " " + mine.string();
    if (within(out, mine))
      return "it is inside " + std::string{what} + " " + mine.string();
  }
  return {};
}

} // namespace et::config
