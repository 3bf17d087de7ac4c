#include "et/config/detail/reader.hpp"

#include <charconv>
#include <cmath>
#include <set>

#include "et/util/http_syntax.hpp"
#include "et/util/text.hpp"
#include "et/util/url.hpp"

namespace et::config::detail {

YAML::Node get(const YAML::Node& map, const std::string& key) {
  if (map.IsDefined() && map.IsMap())
    for (const auto& kv : map)
      if (kv.first.IsScalar() && kv.first.Scalar() == key)
        return kv.second;
  return YAML::Node{YAML::NodeType::Undefined};
}

YAML::Node get(const YAML::Node& list, size_t i) {
  if (list.IsDefined() && list.IsSequence() && i < list.size())
    return list[i];
  return YAML::Node{YAML::NodeType::Undefined};
}

std::string index_path(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string key_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

reader::reader(std::string file, env_lookup env, std::vector<diagnostic>& out)
    : file_(std::move(file)), env_(std::move(env)), out_(out) {}

void reader::error(const YAML::Node& node, const std::string& path, std::string message) {
  diagnostic d{file_, 0, 0, path, std::move(message)};
  if (node.IsDefined()) {
    auto mark = node.Mark();
    if (mark.line >= 0) {
      d.line = mark.line + 1;
      d.column = mark.column + 1;
    }
  }
  out_.push_back(std::move(d));
}

void reader::credential_error(const YAML::Node& node, const std::string& path,
                              std::string message) {
  error(node, path, std::move(message));
  out_.back().credential_error = true;
}

bool reader::expect_map(const located& at) {
  if (!at.node.IsDefined() || at.node.IsNull() || at.node.IsMap())
    return true;
  error(at.node, at.path, "expected a mapping of keys to values");
  return false;
}

void reader::check_keys(const located& at, std::initializer_list<const char*> allowed) {
  if (!at.node.IsMap())
    return;
  std::vector<std::string> valid(allowed.begin(), allowed.end());
  std::set<std::string> seen;
  for (const auto& kv : at.node) {
    auto key = kv.first.as<std::string>("");
    if (!seen.insert(key).second)
      error(kv.first, key_path(at.path, key), "duplicate key");
    bool known = false;
    for (const auto& v : valid)
      known = known || v == key;
    if (known)
      continue;
    std::string msg = "unknown key \"" + key + "\"";
    if (auto guess = nearest(key, valid))
      msg += "; did you mean \"" + *guess + "\"?";
    else
      msg += " (valid keys: " + join(valid, ", ") + ")";
    error(kv.first, key_path(at.path, key), std::move(msg));
  }
}

located reader::child(const located& at, const std::string& key) const {
  return {get(at.node, key), key_path(at.path, key)};
}

std::vector<std::pair<located, located>> reader::entries(const located& at) {
  std::vector<std::pair<located, located>> out;
  if (!expect_map(at) || !at.node.IsMap())
    return out;
  std::set<std::string> seen;
  for (const auto& kv : at.node) {
    auto key = kv.first.as<std::string>("");
    auto path = key_path(at.path, key);
    if (!seen.insert(key).second) {
      error(kv.first, path, "duplicate name");
      continue;
    }
    if (key.empty()) {
      error(kv.first, path, "empty name");
      continue;
    }
    out.push_back({{kv.first, path}, {kv.second, path}});
  }
  return out;
}

std::vector<located> reader::elements(const located& at) {
  std::vector<located> out;
  if (!at.node.IsDefined() || at.node.IsNull())
    return out;
  if (!at.node.IsSequence()) {
    error(at.node, at.path, "expected a list");
    return out;
  }
  for (size_t i = 0; i < at.node.size(); ++i)
    out.push_back({get(at.node, i), index_path(at.path, i)});
  return out;
}

std::optional<std::string> reader::scalar(const located& at, const char* what) {
  if (!at.node.IsDefined() || at.node.IsNull())
    return std::nullopt;
  if (!at.node.IsScalar()) {
    error(at.node, at.path, std::string{"expected "} + what);
    return std::nullopt;
  }
  auto raw = at.node.Scalar();
  auto x = expand_env(raw, env_);
  if (!x) {
    error(at.node, at.path, x.error().message);
    return std::nullopt;
  }
  return std::move(x->text);
}

std::optional<expanded> reader::text_with_env(const located& at) {
  if (!at.node.IsDefined() || at.node.IsNull())
    return std::nullopt;
  if (!at.node.IsScalar()) {
    error(at.node, at.path, "expected a string");
    return std::nullopt;
  }
  auto x = expand_env(at.node.Scalar(), env_);
  if (!x) {
    // The value may be an inline key: say what is wrong without quoting it.
    auto msg = x.error().message;
    auto quoted = "\"" + at.node.Scalar() + "\"";
    if (auto pos = msg.find(quoted); pos != std::string::npos)
      msg.replace(pos, quoted.size(), "the value (not shown)");
    error(at.node, at.path, std::move(msg));
    return std::nullopt;
  }
  return std::move(*x);
}

std::optional<expanded> reader::header_value(const located& at) {
  auto x = text_with_env(at);
  if (x && !is_http_field_value(x->text)) {
    credential_error(
        at.node, at.path,
        "holds a control character (it is sent in an HTTP header, where a line break would "
        "end it)");
    return std::nullopt;
  }
  return x;
}

std::optional<std::string> reader::text(const located& at) {
  return scalar(at, "a string");
}

std::optional<int64_t> reader::integer(const located& at, int64_t min, int64_t max) {
  auto s = scalar(at, "a whole number");
  if (!s)
    return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), value);
  if (ec != std::errc{} || end != s->data() + s->size()) {
    error(at.node, at.path, "expected a whole number, got \"" + *s + "\"");
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(at.node, at.path,
          "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + *s);
    return std::nullopt;
  }
  return value;
}

std::optional<double> reader::number(const located& at, double min, double max) {
  auto s = scalar(at, "a number");
  if (!s)
    return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), value);
  if (ec != std::errc{} || end != s->data() + s->size() || !std::isfinite(value)) {
    error(at.node, at.path, "expected a number, got \"" + *s + "\"");
    return std::nullopt;
  }
  if (value < min || value > max) {
    auto show = [](double d) {
      auto t = std::to_string(d);
      t.erase(t.find_last_not_of('0') + 1);
      if (!t.empty() && t.back() == '.')
        t.pop_back();
      return t;
    };
    error(at.node, at.path, "must be from " + show(min) + " to " + show(max) + ", got " + *s);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> reader::boolean(const located& at) {
  auto s = scalar(at, "true or false");
  if (!s)
    return std::nullopt;
  if (*s == "true" || *s == "yes" || *s == "on")
    return true;
  if (*s == "false" || *s == "no" || *s == "off")
    return false;
  error(at.node, at.path, "expected true or false, got \"" + *s + "\"");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> reader::duration(const located& at, bool allow_zero) {
  auto s = scalar(at, "a duration");
  if (!s)
    return std::nullopt;
  auto d = parse_duration(*s);
  if (!d) {
    error(at.node, at.path, d.error().message);
    return std::nullopt;
  }
  if (d->count() <= 0 && !allow_zero) {
    error(at.node, at.path, "must be longer than 0");
    return std::nullopt;
  }
  return *d;
}

std::vector<std::string> reader::string_list(const located& at) {
  std::vector<std::string> out;
  if (at.node.IsScalar()) {
    if (auto s = text(at))
      out.push_back(*s);
    return out;
  }
  for (const auto& e : elements(at))
    if (auto s = text(e))
      out.push_back(*s);
  return out;
}

} // namespace et::config::detail
