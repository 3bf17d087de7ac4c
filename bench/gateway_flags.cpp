#include "gateway_flags.hpp"

#include <charconv>
#include <cstdio>
#include <string_view>
#include <system_error>

#include "support.hpp"

namespace et::bench::gateway {

const char* const usage_text =
    "[--levels 1,8,64] [--seconds 3] [--hold N] [--hold-prompt BYTES] [--json FILE] [--state DIR] "
    "[--key rate|budget] [--cpus N] [--gap-ms N] [--gateway-cpus LIST] [--io threads|workers] "
    "[--other NAME=URL --other-model M --other-pid PID --other-header \"K: V\"...]";

namespace {

// Comma-separated concurrency levels, 1 to 4096 each; nullopt for anything else.
std::optional<std::vector<int>> parse_levels(std::string_view text) {
  auto numbers = whole_numbers(text, 1, 4096);
  if (!numbers || numbers->empty())
    return std::nullopt;
  return std::vector<int>(numbers->begin(), numbers->end());
}

/// A flag that takes a whole number in [min, max].
struct whole_flag {
  const char* name;
  int64_t min;
  int64_t max;
  int64_t* into;
  const char* error;
};

} // namespace

std::optional<numbers> read_numbers(int argc, char** argv) {
  numbers n;
  auto fail = [](const char* what) {
    std::fprintf(stderr, "et-bench-gateway: %s\n", what);
    return std::nullopt;
  };
  if (auto text = option(argc, argv, "--levels"); !text.empty()) {
    auto levels = parse_levels(text);
    if (!levels)
      return fail("--levels: expected whole numbers from 1 to 4096 separated by commas");
    n.levels = *levels;
  }
  if (auto text = option(argc, argv, "--seconds"); !text.empty()) {
    double s = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
    if (ec != std::errc{} || end != text.data() + text.size() || !(s >= 0.1 && s <= 3600))
      return fail("--seconds: expected a number from 0.1 to 3600");
    n.seconds = s;
  }
  // The whole-number flags: each in its range, or the run stops with its own one-line error.
  int64_t other_pid = 0; // checked only: main reads it as it is
  const whole_flag wholes[] = {
      {"--hold", 0, 100'000, &n.hold, "--hold: expected a whole number up to 100000"},
      {"--hold-prompt", 0, 900'000, &n.hold_prompt,
       "--hold-prompt: expected a whole number of bytes up to 900000"},
      {"--cpus", 1, 1024, &n.cpus, "--cpus: expected a whole number of cores from 1 to 1024"},
      {"--gap-ms", 0, 10'000, &n.gap_ms,
       "--gap-ms: expected a whole number of milliseconds up to 10000"},
      {"--other-pid", 1, 4'194'304, &other_pid, // Linux's largest pid_max
       "--other-pid: expected a process id"},
  };
  for (const auto& f : wholes) {
    auto text = option(argc, argv, f.name);
    if (text.empty())
      continue;
    auto value = whole_number(text);
    if (!value || *value < f.min || *value > f.max)
      return fail(f.error);
    *f.into = *value;
  }
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view{argv[i]} == "--other-header") {
      std::string_view h = argv[i + 1];
      if (auto colon = h.find(':'); colon == 0 || colon == std::string_view::npos)
        return fail("--other-header: expected \"Name: value\"");
    }
  if (auto text = option(argc, argv, "--other"); !text.empty() && text.find('=') == text.npos)
    return fail("--other: expected NAME=URL");
  return n;
}

} // namespace et::bench::gateway
