#pragma once
/// Small helpers the benchmarks share: percentiles of latency samples, the
/// `--json FILE` option, and writing result rows as a JSON array with one
/// object per line (so `make bench` can merge files with sed).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace et::bench {

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

/// The argument after `--json`, or "" when absent.
std::string json_path(int argc, char** argv);

/// Writes `rows` to `path` as "[", one object per line, "]"; false on an I/O error.
bool write_json(const std::string& path, const std::vector<json_row>& rows);

} // namespace et::bench
