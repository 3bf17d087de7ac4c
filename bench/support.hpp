#pragma once
/// Small helpers the benchmarks share: settings from a benchmark's own YAML,
/// percentiles of latency samples, the `--json FILE` option, and writing
/// result rows as a JSON array with one object per line (so `make bench` can
/// merge files with sed).

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace et::config {
struct settings;
} // namespace et::config

namespace et::bench {

/// Settings parsed from `yaml` with an empty environment (`file` names it in
/// diagnostics); nullptr when invalid, with the diagnostics in `problem`.
std::shared_ptr<config::settings> load_settings(std::string_view yaml, const std::string& file,
                                                std::string& problem);

/// The nearest-rank quantile `q` (0..1) of `samples`, which it sorts; 0 when empty.
double percentile(std::vector<double>& samples, double q);

/// One JSON object whose keys keep the order they were added in.
class json_row {
public:
  /// Adds a string member (quotes and backslashes escaped).
  json_row& add(std::string_view key, std::string_view text);
  /// Adds a string member.
  json_row& add(std::string_view key, const char* text) { return add(key, std::string_view{text}); }
  /// Adds a number member.
  json_row& add(std::string_view key, double value);
  /// Adds an integer member.
  json_row& add(std::string_view key, int64_t value);
  /// The object as one line of JSON.
  std::string str() const;

private:
  std::vector<std::pair<std::string, std::string>> members_;
};

/// `text` as a whole decimal number (no sign, space or suffix); nullopt for anything else, so
/// a mistyped flag is an error rather than 0.
std::optional<int64_t> whole_number(std::string_view text);

/// `text` as comma-separated whole numbers, each from `min` to `max` ("" gives none); nullopt
/// when any is missing, not a number or out of range.
std::optional<std::vector<int64_t>> whole_numbers(std::string_view text, int64_t min, int64_t max);

/// The value after `flag` on the command line, or "" when absent (check_flags vets them).
std::string_view option(int argc, char** argv, std::string_view flag);

/// Checks a benchmark's command line: `--flag value` pairs, each flag one of `accepted`, given
/// once (those in `repeatable` may come again), each value neither empty nor a flag.
/// Returns -1 when it is; otherwise the exit code after saying why: 0 after printing
/// "usage: PROGRAM USAGE" for --help, 2 after one line on stderr naming the flag at fault
/// (a mistyped flag must not run the wrong measurement).
int check_flags(int argc, char** argv, const char* program, const char* usage,
                std::initializer_list<std::string_view> accepted,
                std::initializer_list<std::string_view> repeatable = {});

/// The argument after `--json`, or "" when absent.
std::string json_path(int argc, char** argv);

/// Writes `rows` to `path` as "[", one object per line, "]"; false on an I/O error.
bool write_json(const std::string& path, const std::vector<json_row>& rows);

/// write_json when `path` is not empty; false after saying "`program`: cannot write PATH".
bool save_json(const std::string& path, const std::vector<json_row>& rows, const char* program);

} // namespace et::bench
