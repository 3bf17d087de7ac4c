#include "et/gateway/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace et::gateway {

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

namespace {

// HELP text escapes backslash and newline only.
std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

const char* type_name(int k) {
  static const char* names[] = {"counter", "gauge", "histogram"};
  return names[k];
}

// {a="x",b="y"} with `extra` (already formatted, e.g. le="0.5") last; "" for no labels.
std::string label_text(const std::vector<std::string>& names,
                       const std::vector<std::string>& values, const std::string& extra = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra.empty()) {
    out += out.empty() ? "{" : ",";
    out += extra;
  }
  return out.empty() ? out : out + "}";
}

} // namespace

std::string format_sample(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string{buf, end} : std::string{"NaN"};
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::string label_folder::fold(const std::string& name) const {
  return names_.count(name) ? name : std::string{"other"};
}

metric_registry::family_id metric_registry::add_family(kind k, std::string name, std::string help,
                                                       std::vector<std::string> labels,
                                                       std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock{mutex_};
  family f{k, std::move(name), std::move(help), std::move(labels), std::move(bounds), {}};
  std::sort(f.bounds.begin(), f.bounds.end());
  families_.push_back(std::move(f));
  auto id = families_.size() - 1;
  if (families_[id].labels.empty())
    row(id, {}); // always shown, 0 until updated
  return id;
}

metric_registry::family_id metric_registry::counter(std::string name, std::string help,
                                                    std::vector<std::string> labels) {
  return add_family(kind::counter, std::move(name), std::move(help), std::move(labels), {});
}

metric_registry::family_id metric_registry::gauge(std::string name, std::string help,
                                                  std::vector<std::string> labels) {
  return add_family(kind::gauge, std::move(name), std::move(help), std::move(labels), {});
}

metric_registry::family_id metric_registry::histogram(std::string name, std::string help,
                                                      std::vector<std::string> labels,
                                                      std::vector<double> bounds) {
  return add_family(kind::histogram, std::move(name), std::move(help), std::move(labels),
                    std::move(bounds));
}

metric_registry::series* metric_registry::row(family_id id, const label_values& values) {
  if (id >= families_.size() || values.size() != families_[id].labels.size())
    return nullptr;
  auto& f = families_[id];
  auto at = f.rows.find(values);
  if (at == f.rows.end()) {
    auto key = values;
    // The bound's last place is kept for the overflow series.
    if (f.rows.size() + 1 >= max_series_ && max_series_ > 0)
      std::fill(key.begin(), key.end(), std::string{"other"});
    at = f.rows.try_emplace(std::move(key)).first;
    if (f.type == kind::histogram && at->second.counts.empty())
      at->second.counts.assign(f.bounds.size() + 1, 0);
  }
  return &at->second;
}

void metric_registry::add(family_id f, const label_values& values, double by) {
  std::lock_guard<std::mutex> lock{mutex_};
  if (f >= families_.size() || families_[f].type == kind::histogram)
    return;
  if (families_[f].type == kind::counter && !(by >= 0))
    return; // a counter only goes up
  if (auto* s = row(f, values))
    s->value += by;
}

void metric_registry::set(family_id f, const label_values& values, double value) {
  std::lock_guard<std::mutex> lock{mutex_};
  if (f >= families_.size() || families_[f].type != kind::gauge)
    return;
  if (auto* s = row(f, values))
    s->value = value;
}

void metric_registry::observe(family_id f, const label_values& values, double value) {
  std::lock_guard<std::mutex> lock{mutex_};
  if (f >= families_.size() || families_[f].type != kind::histogram || std::isnan(value))
    return;
  auto* s = row(f, values);
  if (!s)
    return;
  const auto& b = families_[f].bounds;
  // The first bucket whose bound is >= value (le is inclusive); +Inf past the last.
  auto i = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), value) - b.begin());
  ++s->counts[i];
  s->sum += value;
  ++s->count;
}

std::string metric_registry::render() const {
  std::lock_guard<std::mutex> lock{mutex_};
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
    out += "# TYPE " + f.name + " " + type_name(static_cast<int>(f.type)) + "\n";
    for (const auto& [values, s] : f.rows) {
      if (f.type != kind::histogram) {
        out += f.name + label_text(f.labels, values) + " " + format_sample(s.value) + "\n";
        continue;
      }
      uint64_t running = 0;
      for (std::size_t i = 0; i <= f.bounds.size(); ++i) {
        running += s.counts[i];
        auto le = i < f.bounds.size() ? format_sample(f.bounds[i]) : std::string{"+Inf"};
        out += f.name + "_bucket" + label_text(f.labels, values, "le=\"" + le + "\"") + " "
               + std::to_string(running) + "\n";
      }
      out += f.name + "_sum" + label_text(f.labels, values) + " " + format_sample(s.sum) + "\n";
      out +=
          f.name + "_count" + label_text(f.labels, values) + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

} // namespace et::gateway
