#include "et/config/diagnostic.hpp"

namespace et::config {

std::string to_string(const diagnostic& d) {
  std::string out = d.file;
  // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict for
  // `":" + std::to_string(...)`.
  if (d.line > 0) {
    out += ':';
    out += std::to_string(d.line);
    out += ':';
    out += std::to_string(d.column);
  }
  out += ": ";
  if (!d.path.empty())
    out += d.path + ": ";
  out += d.message;
  return out;
}

std::string to_string(const std::vector<diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds)
    out += to_string(d) + "\n";
  return out;
}

} // namespace et::config
