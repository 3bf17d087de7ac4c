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

config_origin origin_of(const fs::path& file, const env_lookup& env, config_origin fallback) {
  std::error_code ec;
  auto own = candidate_paths(fs::path{}, env);
  // The first candidate is the working directory's; the rest are the user's.
  for (size_t i = 1; i < own.size(); ++i)
    if (fs::equivalent(file, own[i], ec))
      return config_origin::user;
  return fallback;
}

result<found_config> find_config(const std::optional<std::string>& explicit_path,
                                 const fs::path& cwd, const env_lookup& env) {
  std::error_code ec;
  if (explicit_path) {
    fs::path p{*explicit_path};
    if (fs::is_regular_file(p, ec))
      return found_config{p, config_origin::flag};
    return make_failure(errc::invalid_config,
                        "--config: cannot read \"" + *explicit_path + "\": "
                            + (fs::is_directory(p, ec) ? "it is a folder, not a file"
                               : fs::exists(p, ec)     ? "not a regular file"
                                                       : "no such file"));
  }
  std::string tried;
  auto candidates = candidate_paths(cwd, env);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (fs::is_regular_file(candidates[i], ec))
      return found_config{candidates[i],
                          i == 0 ? origin_of(candidates[i], env, config_origin::working_dir)
                                 : config_origin::user};
    tried += (tried.empty() ? "" : ", ") + candidates[i].string();
  }
  return make_failure(errc::invalid_config,
                      "no configuration found (tried " + tried
                          + "); pass --config FILE or copy configs/electrictown.yaml there");
}

result<fs::path> locate(const std::optional<std::string>& explicit_path, const fs::path& cwd,
                        const env_lookup& env) {
  auto found = find_config(explicit_path, cwd, env);
  if (!found)
    return found.error();
  return std::move(found->file);
}

} // namespace et::config
