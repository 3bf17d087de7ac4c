#include "support.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "et/config/loader.hpp"
#include "et/gateway/errors.hpp"

namespace et::bench {

namespace {

// Not named `quoted`: std::quoted would win the call by argument-dependent lookup.
std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

} // namespace

std::shared_ptr<config::settings> load_settings(std::string_view yaml, const std::string& file,
                                                std::string& problem) {
  auto loaded = config::check_string(yaml, file, [](const std::string&) { return std::nullopt; });
  if (!loaded.ok()) {
    problem = config::to_string(loaded.diagnostics);
    return nullptr;
  }
  return std::make_shared<config::settings>(loaded.value);
}

double percentile(std::vector<double>& samples, double q) {
  if (samples.empty())
    return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[std::clamp<size_t>(rank, 1, samples.size()) - 1];
}

json_row& json_row::add(std::string_view key, std::string_view text) {
  members_.emplace_back(std::string{key}, json_string(text));
  return *this;
}

json_row& json_row::add(std::string_view key, double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", std::isfinite(value) ? value : 0.0);
  members_.emplace_back(std::string{key}, buf);
  return *this;
}

json_row& json_row::add(std::string_view key, int64_t value) {
  members_.emplace_back(std::string{key}, std::to_string(value));
  return *this;
}

std::string json_row::str() const {
  std::string out = "{";
  for (size_t i = 0; i < members_.size(); ++i) {
    if (i > 0)
      out += ", ";
    out += json_string(members_[i].first);
    out += ": ";
    out += members_[i].second;
  }
  return out + "}";
}

std::optional<int64_t> whole_number(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '-' || ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

int check_flags(int argc, char** argv, const char* program, const char* usage,
                std::initializer_list<std::string_view> accepted,
                std::initializer_list<std::string_view> repeatable) {
  auto among = [](const auto& list, std::string_view word) {
    return std::find(list.begin(), list.end(), word) != list.end();
  };
  for (int i = 1; i < argc; ++i)
    if (std::string_view flag = argv[i]; flag == "--help" || flag == "-h") {
      std::printf("usage: %s %s\n", program, usage);
      return 0;
    }
  std::vector<std::string_view> seen;
  for (int i = 1; i < argc; i += 2) {
    std::string_view flag = argv[i];
    auto shown = printable(flag, 64); // the terminal gets no control bytes back
    auto refuse = [&](const char* why) {
      std::fprintf(stderr, "%s: %s%s (usage: %s %s)\n", program, shown.c_str(), why, program,
                   usage);
      return 2;
    };
    if (!among(accepted, flag))
      return refuse(": unknown flag");
    if (among(seen, flag) && !among(repeatable, flag))
      return refuse(" is given twice");
    seen.push_back(flag);
    // An empty value would read as "not given", and a flag as a value is a missing value.
    if (i + 1 == argc || argv[i + 1][0] == '\0'
        || std::string_view{argv[i + 1]}.rfind("--", 0) == 0)
      return refuse(" needs a value");
  }
  return -1;
}

std::optional<std::vector<int64_t>> whole_numbers(std::string_view text, int64_t min, int64_t max) {
  std::vector<int64_t> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto n = whole_number(text.substr(0, comma));
    if (!n || *n < min || *n > max)
      return std::nullopt;
    out.push_back(*n);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

std::string_view option(int argc, char** argv, std::string_view flag) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view{argv[i]} == flag)
      return argv[i + 1];
  return {};
}

std::string json_path(int argc, char** argv) {
  return std::string{option(argc, argv, "--json")};
}

bool write_json(const std::string& path, const std::vector<json_row>& rows) {
  std::ofstream out{path};
  out << "[\n";
  for (size_t i = 0; i < rows.size(); ++i)
    out << "  " << rows[i].str() << (i + 1 < rows.size() ? ",\n" : "\n");
  out << "]\n";
  return static_cast<bool>(out);
}

bool save_json(const std::string& path, const std::vector<json_row>& rows, const char* program) {
  if (path.empty() || write_json(path, rows))
    return true;
  std::fprintf(stderr, "%s: cannot write %s\n", program, path.c_str());
  return false;
}

} // namespace et::bench
