#pragma once
/// A human summary of a configuration, with every secret redacted.

#include <string>

#include "et/config/settings.hpp"

namespace et::config {

/// Providers, aliases, roles, specialists and nodes, one per line; API keys
/// and passphrases appear only as "set" plus the variable they came from.
std::string describe(const settings& s);

} // namespace et::config
