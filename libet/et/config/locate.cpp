#include "et/config/locate.hpp"

#include <system_error>

namespace et::config {

namespace fs = std::filesystem;

std::vector<fs::path> candidate_paths(const fs::path& cwd, const env_lookup& env) {
  std::vector<fs::path> out{cwd / config_file_name};
  auto home = env("HOME");
  auto xdg = env("XDG_CONFIG_HOME");
  if (xdg && !xdg->empty())
    out.push_back(fs::path{*xdg} / "electrictown" / config_file_name);
  else if (home && !home->empty())
    out.push_back(fs::path{*home} / ".config" / "electrictown" / config_file_name);
  if (home && !home->empty())
    out.push_back(fs::path{*home} / config_file_name);
  return out;
}

result<fs::path> locate(const std::optional<std::string>& explicit_path, const fs::path& cwd,
                        const env_lookup& env) {
  std::error_code ec;
  if (explicit_path) {
    fs::path p{*explicit_path};
    if (fs::is_regular_file(p, ec))
      return p;
    return make_failure(errc::invalid_config,
                        "--config: cannot read \"" + *explicit_path + "\": no such file");
  }
  std::string tried;
  for (const auto& candidate : candidate_paths(cwd, env)) {
    if (fs::is_regular_file(candidate, ec))
      return candidate;
    tried += (tried.empty() ? "" : ", ") + candidate.string();
  }
  return make_failure(errc::invalid_config,
                      "no configuration found (tried " + tried
                          + "); pass --config FILE or copy configs/electrictown.yaml there");
}

} // namespace et::config
