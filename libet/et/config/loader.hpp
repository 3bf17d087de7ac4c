#pragma once
/// Loading a YAML configuration into `settings`: strict keys with did-you-mean,
/// env expansion, reference and range validation, every error located as
/// file:line:col plus the key path.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "et/config/diagnostic.hpp"
#include "et/config/env.hpp"
#include "et/config/settings.hpp"
#include "et/util/result.hpp"

namespace et::config {

/// The settings read so far and every problem found.
struct load_outcome {
  settings value;                      ///< complete only when ok()
  std::vector<diagnostic> diagnostics; ///< all problems, in file order
  /// True when there is no problem.
  bool ok() const { return diagnostics.empty(); }
};

/// Parses YAML text; `file` names it in diagnostics and anchors relative paths.
/// Text whose aliases expand past 100000 nodes, or nested deeper than 64
/// levels, is refused before a tree is built (detail/bounds.hpp).
load_outcome check_string(std::string_view yaml, const std::string& file, const env_lookup& env);

/// The bytes of a configuration file, refused past 4 MiB (detail/bounds.hpp)
/// without reading the rest.
result<std::string> read_config(const std::filesystem::path& file);

/// Reads and parses a file.
load_outcome check_file(const std::filesystem::path& file, const env_lookup& env);

/// The settings, or the first problem as an invalid_config failure whose
/// message is "file:line:col: path: message".
result<settings> load_file(const std::filesystem::path& file, const env_lookup& env);

} // namespace et::config
