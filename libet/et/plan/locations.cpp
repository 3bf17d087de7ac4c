#include "et/plan/locations.hpp"

#include <algorithm>
#include <optional>

#include "et/plan/markdown.hpp"

namespace et::plan {

namespace {

// ESC [ ... letter: colour and cursor sequences.
std::string without_ansi(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
        ++i;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

bool ends_token(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '('
         || c == '[' || c == '<' || c == '{' || c == '=' || c == ',' || c == '`' || c == '|'
         || c == '>';
}

// A Windows drive ("C:\" or "C:/") at `colon`, which belongs to the path.
bool drive_colon(std::string_view s, size_t colon, size_t token_start) {
  return colon == token_start + 1 && colon + 1 < s.size()
         && (s[colon + 1] == '\\' || s[colon + 1] == '/');
}

// The path token that ends right before `end`.
std::string_view token_before(std::string_view s, size_t end) {
  size_t start = end;
  while (start > 0 && !ends_token(s[start - 1]))
    --start;
  // A colon inside the token (other than a drive) ends an earlier location: "a.c:3:b.c".
  for (size_t i = end; i > start; --i)
    if (s[i - 1] == ':' && !drive_colon(s, i - 1, start))
      return s.substr(i, end - i);
  return s.substr(start, end - start);
}

bool location_follows(std::string_view s, size_t i) {
  if (i + 1 >= s.size())
    return false;
  if (s[i] == ':' && is_digit(s[i + 1]))
    return true; // file:12
  if (s[i] == '(' && is_digit(s[i + 1]))
    return true; // file(12) / file(12,5)
  return s.substr(i).starts_with("::") && i + 2 < s.size()
         && (is_alnum(s[i + 2]) || s[i + 2] == '_');
}

std::vector<std::string> mentions(std::string_view s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (location_follows(s, i)) {
      if (auto token = token_before(s, i); !token.empty())
        out.emplace_back(token);
      if (s[i] == ':' && i + 1 < s.size() && s[i + 1] == ':')
        ++i;
    } else if (s.substr(i).starts_with("\", line ")) {
      auto open = s.rfind('"', i == 0 ? 0 : i - 1);
      if (open != std::string_view::npos && open < i)
        out.emplace_back(s.substr(open + 1, i - open - 1));
    }
  }
  return out;
}

std::string normalized(std::string_view path) {
  std::string p{path};
  std::replace(p.begin(), p.end(), '\\', '/');
  std::string_view v = p;
  for (;;) {
    if (v.starts_with("./"))
      v.remove_prefix(2);
    else if (v.starts_with("../"))
      v.remove_prefix(3);
    else
      break;
  }
  return std::string{v};
}

bool ends_with_component(std::string_view longer, std::string_view shorter) {
  return longer.size() > shorter.size() && longer.ends_with(shorter)
         && longer[longer.size() - shorter.size() - 1] == '/';
}

// Index into `known` of the path `mention` names, if exactly one fits.
std::optional<size_t> match(std::string_view mention, const std::vector<std::string>& known) {
  std::optional<size_t> suffix_of_known, known_suffix;
  size_t suffix_count = 0;
  for (size_t k = 0; k < known.size(); ++k) {
    if (known[k] == mention)
      return k;
    if (ends_with_component(known[k], mention)) {
      suffix_of_known = k;
      ++suffix_count;
    }
    if (ends_with_component(mention, known[k])
        && (!known_suffix || known[k].size() > known[*known_suffix].size()))
      known_suffix = k;
  }
  if (suffix_count == 1)
    return suffix_of_known;
  if (suffix_count > 1)
    return std::nullopt;
  return known_suffix;
}

} // namespace

std::vector<std::string> files_in_output(std::string_view verify_output,
                                         const std::vector<std::string>& known_paths) {
  std::vector<std::string> known;
  for (const auto& p : known_paths)
    known.push_back(normalized(p));
  std::vector<std::string> out;
  std::vector<bool> named(known.size(), false);
  for (const auto& mention : mentions(without_ansi(verify_output))) {
    auto k = match(normalized(mention), known);
    if (k && !named[*k]) {
      named[*k] = true;
      out.push_back(known_paths[*k]);
    }
  }
  return out;
}

} // namespace et::plan
