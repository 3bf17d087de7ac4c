#pragma once
/// Internal to the loader: typed, strict access to YAML nodes that records a
/// diagnostic (file:line:col, key path, message) for every problem instead of
/// stopping at the first. Only the config loader includes yaml-cpp.

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "et/config/diagnostic.hpp"
#include "et/config/env.hpp"

namespace et::config::detail {

/// A node together with its key path, for error messages.
struct located {
  YAML::Node node;  ///< the value
  std::string path; ///< e.g. "providers.openai.base_url"
};

/// The loading session: where diagnostics go and how env references resolve.
class reader {
public:
  /// Reads `file`; `env` resolves references.
  reader(std::string file, env_lookup env, std::vector<diagnostic>& out);

  /// Records a problem at `node`.
  void error(const YAML::Node& node, const std::string& path, std::string message);

  /// Records a problem with a credential alone at `node`: the variable it names is not set, or
  /// its value cannot be sent (see diagnostic::credential_error).
  void credential_error(const YAML::Node& node, const std::string& path, std::string message);

  /// True when `at` is a mapping (null counts as an empty one); records an error otherwise.
  bool expect_map(const located& at);

  /// Records an error for every key of `at` not in `allowed` (with a
  /// did-you-mean) and for duplicated keys.
  void check_keys(const located& at, std::initializer_list<const char*> allowed);

  /// The child `key` of a mapping, with its path; null node when absent.
  located child(const located& at, const std::string& key) const;

  /// The (key, value) pairs of a mapping, keys as located nodes.
  std::vector<std::pair<located, located>> entries(const located& at);

  /// The elements of a sequence; records an error when `at` is not one.
  std::vector<located> elements(const located& at);

  /// A scalar with env references expanded; nullopt when absent or invalid.
  std::optional<std::string> text(const located& at);

  /// Like text(), also reporting which variables were unset; for secrets, as
  /// its errors never quote the value.
  std::optional<expanded> text_with_env(const located& at);

  /// Like text_with_env(), for a value sent in an HTTP header (an API key, a header's value):
  /// one holding a control character but tab (a line break would end the header) is an error
  /// that does not quote it.
  std::optional<expanded> header_value(const located& at);

  /// An integer within [min, max].
  std::optional<int64_t> integer(const located& at, int64_t min, int64_t max);

  /// A number within [min, max].
  std::optional<double> number(const located& at, double min, double max);

  /// true/false/yes/no/on/off.
  std::optional<bool> boolean(const located& at);

  /// A duration ("250ms", "10s", "5m", "1h" or seconds); positive unless
  /// `allow_zero`.
  std::optional<std::chrono::milliseconds> duration(const located& at, bool allow_zero = false);

  /// A list of strings; a single scalar is accepted as a list of one.
  std::vector<std::string> string_list(const located& at);

  /// The file name as given.
  const std::string& file() const { return file_; }

  /// How env references resolve.
  const env_lookup& env() const { return env_; }

private:
  std::optional<std::string> scalar(const located& at, const char* what);

  std::string file_;
  env_lookup env_;
  std::vector<diagnostic>& out_;
};

/// The value under `key` of a mapping, or an undefined node when `map` is not a
/// mapping or has no such key. Unlike YAML::Node::operator[], it never throws
/// on missing parents and never inserts keys.
YAML::Node get(const YAML::Node& map, const std::string& key);

/// Element `i` of a sequence, or an undefined node.
YAML::Node get(const YAML::Node& list, size_t i);

/// Appends "[i]" to a path.
std::string index_path(const std::string& path, size_t i);

/// Appends ".key" to a path (no dot at the start).
std::string key_path(const std::string& path, const std::string& key);

} // namespace et::config::detail
