#pragma once
/// Finding the configuration file when --config is not given.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "et/config/env.hpp"
#include "et/util/result.hpp"

namespace et::config {

/// The file name looked for in every location.
inline constexpr const char* config_file_name = "electrictown.yaml";

/// The candidate paths in lookup order: ./electrictown.yaml,
/// $XDG_CONFIG_HOME/electrictown/electrictown.yaml (or ~/.config/... when
/// XDG_CONFIG_HOME is unset or empty), ~/electrictown.yaml.
std::vector<std::filesystem::path> candidate_paths(const std::filesystem::path& cwd,
                                                   const env_lookup& env);

/// How a configuration file was found, which decides whether it needs trust.
enum class config_origin : uint8_t {
  flag,        ///< named by --config: the user's explicit choice
  user,        ///< the user's own config dir or home (a working-directory file that is one of these
               ///< counts)
  working_dir, ///< ./electrictown.yaml: may come with a cloned repository, needs trust
  recorded,    ///< a path read back from a run journal, not one of the user's own: needs trust
};

/// True when a file of this origin is used only once trusted (config/trust.hpp).
inline bool needs_trust(config_origin o) {
  return o == config_origin::working_dir || o == config_origin::recorded;
}

/// A located configuration file.
struct found_config {
  std::filesystem::path file; ///< the file
  config_origin origin;       ///< how it was found
};

/// `user` when `file` is one of the user's own candidates (XDG config dir or
/// home), else `fallback`.
config_origin origin_of(const std::filesystem::path& file, const env_lookup& env,
                        config_origin fallback);

/// Like locate(), also saying how the file was found.
result<found_config> find_config(const std::optional<std::string>& explicit_path,
                                 const std::filesystem::path& cwd, const env_lookup& env);

/// The explicit path when given (it must exist), else the first candidate that
/// exists; the failure lists every path tried.
result<std::filesystem::path> locate(const std::optional<std::string>& explicit_path,
                                     const std::filesystem::path& cwd, const env_lookup& env);

} // namespace et::config
