#pragma once
/// Environment references in configuration strings: $VAR, ${VAR} and
/// ${VAR:-default}; "$$" is a literal dollar sign.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/util/result.hpp"

namespace et::config {

/// Looks up an environment variable; nullopt when unset.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment (getenv).
env_lookup process_env();

/// A string after expansion.
struct expanded {
  std::string text;               ///< the result
  std::vector<std::string> unset; ///< variables that were unset and had no default
  bool had_reference = false;     ///< whether the input referenced any variable
};

/// Expands every reference in `text`. Unset variables without a default
/// expand to "" and are listed in `unset`; a malformed reference ("${", "${}")
/// is a failure.
result<expanded> expand_env(std::string_view text, const env_lookup& env);

} // namespace et::config
