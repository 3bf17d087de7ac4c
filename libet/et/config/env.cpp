#include "et/config/env.hpp"

#include <cstdlib>

namespace et::config {

env_lookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* value = std::getenv(name.c_str()))
      return std::string{value};
    return std::nullopt;
  };
}

namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

failure malformed(std::string_view text, std::string why) {
  return make_failure(errc::invalid_config, "malformed environment reference in \""
                                                + std::string{text} + "\": " + std::move(why));
}

// Appends the variable's value (or default) and records unset variables.
void substitute(const std::string& name, const std::optional<std::string>& fallback,
                const env_lookup& env, expanded& out) {
  out.had_reference = true;
  auto value = env(name);
  // ${VAR:-default} uses the default for unset and for empty, like the shell.
  if (value && (!value->empty() || !fallback))
    out.text += *value;
  else if (fallback)
    out.text += *fallback;
  else if (!value)
    out.unset.push_back(name);
}

} // namespace

result<expanded> expand_env(std::string_view text, const env_lookup& env) {
  expanded out;
  out.text.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '$' || i + 1 == text.size()) {
      out.text += c;
      continue;
    }
    char next = text[i + 1];
    if (next == '$') { // "$$" escapes a dollar sign
      out.text += '$';
      ++i;
    } else if (next == '{') {
      auto close = text.find('}', i + 2);
      if (close == std::string_view::npos)
        return malformed(text, "missing '}'");
      auto inner = text.substr(i + 2, close - i - 2);
      auto sep = inner.find(":-");
      auto name = std::string{inner.substr(0, sep)};
      if (name.empty() || !is_name_start(name[0]))
        return malformed(text, "expected a variable name after '${'");
      for (char n : name)
        if (!is_name_char(n))
          return malformed(text, "invalid character in variable name \"" + name + "\"");
      std::optional<std::string> fallback;
      if (sep != std::string_view::npos)
        fallback = std::string{inner.substr(sep + 2)};
      substitute(name, fallback, env, out);
      i = close;
    } else if (is_name_start(next)) {
      size_t end = i + 1;
      while (end < text.size() && is_name_char(text[end]))
        ++end;
      substitute(std::string{text.substr(i + 1, end - i - 1)}, std::nullopt, env, out);
      i = end - 1;
    } else {
      out.text += c; // a lone '$' (e.g. "US$5") stays as written
    }
  }
  return out;
}

} // namespace et::config
