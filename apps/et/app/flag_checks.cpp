#include "et/app/flag_checks.hpp"

#include <cmath>
#include <exception>

namespace et::app {

CLI::Validator number_check(std::string what, double low, double high, bool whole, bool above_low) {
  return CLI::Validator{[what, low, high, whole, above_low](std::string& text) -> std::string {
                          try {
                            size_t used = 0;
                            double v = std::stod(text, &used);
                            bool in_range = above_low ? v > low : v >= low;
                            if (used == text.size() && std::isfinite(v) && in_range && v <= high
                                && (!whole || v == std::floor(v))) {
                              // What the flag then reads: "5.0" and "1e1" as whole numbers,
                              // "010" as ten (CLI11 would read it in octal).
                              if (whole)
                                text = std::to_string(static_cast<long long>(v));
                              return {};
                            }
                          } catch (const std::exception&) {
                            // not a number: said below
                          }
                          return "expected " + what + ", got \"" + text + "\"";
                        },
                        whole ? "N" : "NUMBER"};
}

} // namespace et::app
