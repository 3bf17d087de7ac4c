#pragma once
/// Configuration errors that point at the exact place in the file.

#include <string>
#include <vector>

namespace et::config {

/// One problem in a configuration file.
struct diagnostic {
  std::string file;    ///< the file's path as given
  int line = 0;        ///< 1-based line, 0 when unknown
  int column = 0;      ///< 1-based column, 0 when unknown
  std::string path;    ///< key path, e.g. "roles.polecat.fallbacks[1]"
  std::string message; ///< what is wrong and, where possible, how to fix it
  /// The problem is a credential's alone (the variable it names is not set, or its value
  /// cannot be sent): a problem only for commands that call providers (`et keys`, `et cost`,
  /// `et runs` do not).
  bool credential_error = false;
};

/// "file:line:col: path: message" (parts that are unknown are left out).
std::string to_string(const diagnostic& d);

/// Every diagnostic on its own line.
std::string to_string(const std::vector<diagnostic>& ds);

} // namespace et::config
