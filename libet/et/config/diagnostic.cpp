#include "et/config/diagnostic.hpp"

namespace et::config {

std::string to_string(const diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0)
    out += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
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
