#include "et/plan/markers.hpp"

#include <optional>

#include "et/plan/markdown.hpp"
#include "et/util/text.hpp"

namespace et::plan {

namespace {

enum class marker_kind { depends, specialist };

struct marker {
  marker_kind kind;
  std::string_view value;
};

// "depends on" and "depends_on" and "Dependencies" all name the same thing.
std::string normalized_key(std::string_view key) {
  auto out = ascii_lower(trim(key));
  for (auto& c : out)
    if (c == '_' || c == '-')
      c = ' ';
  return out;
}

std::optional<marker_kind> kind_of(std::string_view key) {
  auto k = normalized_key(key);
  if (k == "depends" || k == "depends on" || k == "dependencies" || k == "dependency" || k == "deps"
      || k == "depends upon")
    return marker_kind::depends;
  if (k == "specialist")
    return marker_kind::specialist;
  return std::nullopt;
}

// The inside of a bracket pair, if it is a marker ("depends on 2" needs no colon).
std::optional<marker> parse_marker(std::string_view inner) {
  auto colon = inner.find(':');
  if (colon != std::string_view::npos) {
    if (auto kind = kind_of(inner.substr(0, colon)))
      return marker{*kind, trim(inner.substr(colon + 1))};
    return std::nullopt;
  }
  auto lowered = ascii_lower(trim(inner));
  for (std::string_view key : {"depends on ", "depends "})
    if (lowered.starts_with(key))
      return marker{marker_kind::depends, trim(trim(inner).substr(key.size()))};
  return std::nullopt;
}

std::vector<int> numbers_in(std::string_view value) {
  std::vector<int> out;
  for (size_t i = 0; i < value.size();) {
    if (!is_digit(value[i])) {
      ++i;
      continue;
    }
    int n = 0;
    for (; i < value.size() && is_digit(value[i]); ++i)
      if (n < 100000)
        n = n * 10 + (value[i] - '0');
    out.push_back(n);
  }
  return out;
}

void record(const marker& m, item_markers& found) {
  if (m.kind == marker_kind::specialist) {
    found.specialist = ascii_lower(strip_emphasis(m.value));
    return;
  }
  for (int n : numbers_in(m.value))
    found.depends_on.push_back(n);
}

// Joins the text before and after a removed marker without doubled space,
// space before punctuation, or the empty bold that wrapped the marker.
void splice(std::string& out, std::string_view& rest) {
  for (std::string_view mark : {"**", "__"}) {
    if (out.ends_with(mark) && rest.starts_with(mark)) {
      out.resize(out.size() - mark.size());
      rest.remove_prefix(mark.size());
    }
  }
  bool tidy_left = rest.empty() || rest.front() == ' ' || rest.front() == '.' || rest.front() == ','
                   || rest.front() == ';' || rest.front() == ':';
  if (tidy_left)
    while (!out.empty() && (out.back() == ' ' || out.back() == '\t'))
      out.pop_back();
  if (out.empty())
    while (!rest.empty() && rest.front() == ' ')
      rest.remove_prefix(1);
}

} // namespace

std::string take_markers(std::string_view line, item_markers& found) {
  std::string out;
  std::string_view rest = line;
  while (!rest.empty()) {
    auto open = rest.find_first_of("[(");
    if (open == std::string_view::npos)
      break;
    char closer = rest[open] == '[' ? ']' : ')';
    auto close = rest.find(closer, open + 1);
    if (close == std::string_view::npos)
      break;
    auto m = parse_marker(rest.substr(open + 1, close - open - 1));
    out.append(rest.substr(0, m ? open : open + 1));
    if (!m) {
      rest.remove_prefix(open + 1);
      continue;
    }
    record(*m, found);
    rest.remove_prefix(close + 1);
    splice(out, rest);
  }
  out.append(rest);
  return out;
}

} // namespace et::plan
