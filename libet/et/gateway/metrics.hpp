#pragma once
/// A small metric registry rendered in Prometheus' text exposition format
/// (version 0.0.4): counters, gauges and histograms with fixed buckets, each a
/// family of series keyed by label values. Thread-safe (one mutex: an update is
/// a map lookup and an add). Cardinality is bounded twice: callers fold open
/// sets (model names) through a label_folder, and a family that still reaches
/// its series bound folds every further label set into one "other" series, so
/// no client can grow the registry's memory.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace et::gateway {

/// The content type of render()'s text.
inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4";

/// `v` escaped for a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view v);

/// `v` as the exposition format writes a sample value or bucket bound: the
/// shortest decimal that reads back to it, "+Inf", "-Inf" or "NaN".
std::string format_sample(double v);

/// Bucket upper bounds (seconds) for latencies: 1 ms to 60 s.
std::vector<double> latency_buckets();

/// Maps a name to itself when it is one of a fixed set, else to "other".
class label_folder {
public:
  /// Knows `names`.
  explicit label_folder(std::set<std::string> names = {}) : names_(std::move(names)) {}
  /// `name` when known, else "other".
  std::string fold(const std::string& name) const;

private:
  std::set<std::string> names_;
};

/// The registry.
class metric_registry {
public:
  /// Identifies a family (the order of registration).
  using family_id = std::size_t;
  /// Label values, in the order of the family's label names.
  using label_values = std::vector<std::string>;

  /// A registry whose families hold at most `max_series` series each (the last
  /// one being the "other" overflow series).
  explicit metric_registry(std::size_t max_series = 1000) : max_series_(max_series) {}

  /// A counter family (by convention its name ends in _total).
  family_id counter(std::string name, std::string help, std::vector<std::string> labels);
  /// A gauge family.
  family_id gauge(std::string name, std::string help, std::vector<std::string> labels);
  /// A histogram family with ascending finite upper bounds `bounds` (+Inf is added).
  family_id histogram(std::string name, std::string help, std::vector<std::string> labels,
                      std::vector<double> bounds);

  /// Adds `by` (>= 0 for counters; ignored otherwise) to a counter or gauge.
  void add(family_id f, const label_values& values, double by = 1);
  /// Sets a gauge.
  void set(family_id f, const label_values& values, double value);
  /// Records one observation in a histogram.
  void observe(family_id f, const label_values& values, double value);

  /// Every family, in registration order, series in label order. A family
  /// without labels always shows its one series (0 before any update).
  std::string render() const;

private:
  enum class kind { counter, gauge, histogram };
  struct series {
    double value = 0;             ///< counter or gauge
    std::vector<uint64_t> counts; ///< histogram: per bucket (not cumulative), +Inf last
    double sum = 0;               ///< histogram
    uint64_t count = 0;           ///< histogram
  };
  struct family {
    kind type;
    std::string name, help;
    std::vector<std::string> labels;
    std::vector<double> bounds;
    std::map<label_values, series> rows;
  };

  family_id add_family(kind k, std::string name, std::string help, std::vector<std::string> labels,
                       std::vector<double> bounds);
  series* row(family_id f, const label_values& values); // with mutex_ held; null for a bad call

  std::size_t max_series_;
  mutable std::mutex mutex_;
  std::vector<family> families_;
};

} // namespace et::gateway
