#pragma once
/// Finding the configuration file when --config is not given.

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

/// The explicit path when given (it must exist), else the first candidate that
/// exists; the failure lists every path tried.
result<std::filesystem::path> locate(const std::optional<std::string>& explicit_path,
                                     const std::filesystem::path& cwd, const env_lookup& env);

} // namespace et::config
