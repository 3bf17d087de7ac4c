#include "et/config/diagnostic.hpp"

namespace et::config {

namespace {

// A diagnostic quotes the file's own bytes (a key, a name): a line break or an escape sequence
// among them would split its line or reach the terminal. Each becomes \xNN.
std::string one_line(const std::string& text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

} // namespace

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
  return one_line(out);
}

std::string to_string(const std::vector<diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds)
    out += to_string(d) + "\n";
  return out;
}

} // namespace et::config
