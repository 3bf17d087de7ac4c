#include "request_flags.hpp"

#include <string_view>

#include "support.hpp"

namespace request_bench {

using namespace et;
using namespace et::actors;

// `--scheduler stealing|sharing` (default: et's); nullopt for another word.
std::optional<scheduling> scheduler_flag(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view{argv[i]} == "--scheduler")
      return parse_scheduling(argv[i + 1]);
  return default_scheduling;
}

// `--rows direct|router|both` (default both): which paths to measure, so a profiler can watch
// one at a time. nullopt for another word.
std::optional<rows_wanted> rows_flag(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view{argv[i]} != "--rows")
      continue;
    std::string_view word{argv[i + 1]};
    if (word == "both")
      return rows_wanted{};
    if (word == "direct")
      return rows_wanted{true, false};
    if (word == "router")
      return rows_wanted{false, true};
    return std::nullopt;
  }
  return rows_wanted{};
}

// `--concurrency N` (1 to 64): measure that level only; default 1, 8 and 64. Empty on a bad
// value.
std::vector<int> levels_flag(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view{argv[i]} != "--concurrency")
      continue;
    auto n = bench::whole_number(argv[i + 1]);
    if (!n || *n < 1 || *n > max_concurrency)
      return {};
    return {static_cast<int>(*n)};
  }
  return {1, 8, max_concurrency};
}

} // namespace request_bench
