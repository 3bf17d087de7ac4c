#include "et/plan/items.hpp"

#include "et/plan/markdown.hpp"
#include "et/util/text.hpp"

namespace et::plan {

namespace {

std::string_view ltrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  return s;
}

bool eat(std::string_view& s, std::string_view token) {
  if (token.empty() || !s.starts_with(token))
    return false;
  s.remove_prefix(token.size());
  return true;
}

// Case-insensitive, and only as a whole word ("Steps" is not "Step").
bool eat_word(std::string_view& s, std::string_view word) {
  if (s.size() <= word.size() || ascii_lower(s.substr(0, word.size())) != word)
    return false;
  char next = s[word.size()];
  if (next != ' ' && next != '\t' && next != '#' && !is_digit(next))
    return false;
  s.remove_prefix(word.size());
  return true;
}

std::optional<int> eat_number(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && is_digit(s[n]))
    ++n;
  // Four digits is plenty for a list; longer runs are years or ids in prose.
  if (n == 0 || n > 4)
    return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < n; ++i)
    value = value * 10 + (s[i] - '0');
  s.remove_prefix(n);
  return value;
}

bool eat_separator(std::string_view& s) {
  for (std::string_view sep : {":", ".", ")", "-", "\xE2\x80\x93", "\xE2\x80\x94"})
    if (eat(s, sep))
      return true;
  return false;
}

bool ends_marker(std::string_view s) {
  return s.empty() || s.front() == ' ' || s.front() == '\t';
}

// "**" or "__" when `s` starts bold, else "".
std::string_view leading_bold(std::string_view s) {
  for (std::string_view mark : {"**", "__"})
    if (s.starts_with(mark))
      return mark;
  return {};
}

// `s` starts right after the indentation and an opening "**" (in `bold`), if any.
std::optional<item_line> parse_numbered(std::string_view s, std::string_view bold) {
  auto start = s.size();
  bool labelled = false;
  for (std::string_view word : {"subtask", "sub-task", "step", "task"})
    if ((labelled = eat_word(s, word)))
      break;
  if (labelled) {
    s = ltrim(s);
    eat(s, "#");
  }
  auto number = eat_number(s);
  if (!number)
    return std::nullopt;
  bool closed = eat(s, bold);
  if (labelled) {
    auto after = ltrim(s);
    if (eat_separator(after))
      s = after;
  } else if (!eat(s, ".") && !eat(s, ")")) {
    return std::nullopt;
  }
  closed = closed || eat(s, bold);
  if (!ends_marker(s))
    return std::nullopt;
  item_line item;
  item.kind = item_kind::numbered;
  item.number = *number;
  auto text = ltrim(s);
  // "**1. Title**": the bold opened before the number still wraps the title.
  item.text = closed ? std::string{text} : std::string{bold} + std::string{text};
  item.content_column = start - text.size();
  return item;
}

std::optional<item_line> parse_bullet(std::string_view s) {
  auto start = s.size();
  bool bullet = false;
  for (std::string_view mark : {"-", "*", "+", "\xE2\x80\xA2"})
    if (s.starts_with(mark) && ends_marker(s.substr(mark.size()))) {
      s.remove_prefix(mark.size());
      bullet = true;
      break;
    }
  if (!bullet)
    return std::nullopt;
  s = ltrim(s);
  if (s.empty())
    return std::nullopt;
  for (std::string_view box : {"[ ]", "[x]", "[X]"})
    if (s.starts_with(box) && ends_marker(s.substr(box.size())))
      s = ltrim(s.substr(box.size()));
  item_line item;
  item.kind = item_kind::bullet;
  item.text = std::string{s};
  item.content_column = start - s.size();
  return item;
}

// "- **2. Port invoices**" or "- Step 2: x": a bullet that still carries the
// number later references use.
void number_bullet(item_line& bullet) {
  std::string_view s = bullet.text;
  auto bold = leading_bold(s);
  auto numbered = parse_numbered(s.substr(bold.size()), bold);
  if (!numbered)
    return;
  bullet.number = numbered->number;
  bullet.text = std::move(numbered->text);
}

} // namespace

std::optional<item_line> parse_item(std::string_view line) {
  auto indent = indent_of(line);
  auto s = ltrim(line);
  auto bold = leading_bold(s);
  auto item = parse_numbered(s.substr(bold.size()), bold);
  if (!item && bold.empty())
    item = parse_bullet(s);
  if (!item)
    return std::nullopt;
  if (item->kind == item_kind::bullet)
    number_bullet(*item);
  item->indent = indent;
  // The parsers measured from after the bold; the column is from the line's start.
  item->content_column += indent + (item->kind == item_kind::numbered ? bold.size() : 0);
  return item;
}

std::optional<item_line> parse_heading_item(std::string_view title) {
  auto s = trim(title);
  auto bold = leading_bold(s);
  auto item = parse_numbered(s.substr(bold.size()), bold);
  if (item)
    item->kind = item_kind::heading;
  return item;
}

section section_of_title(std::string_view title) {
  auto t = ascii_lower(strip_emphasis(title));
  while (!t.empty() && (t.back() == ':' || t.back() == ' '))
    t.pop_back();
  if (t.starts_with("summary"))
    return section::summary;
  for (std::string_view prefix : {"subtask", "sub-task", "sub task"})
    if (t.starts_with(prefix))
      return section::subtasks;
  if (t == "tasks" || t == "steps")
    return section::subtasks;
  return section::other;
}

std::optional<section_label> parse_section_label(std::string_view line) {
  auto s = trim(line);
  auto colon = s.find(':');
  auto strip = [](std::string_view t) {
    while (!t.empty() && (t.front() == '*' || t.front() == '_'))
      t.remove_prefix(1);
    while (!t.empty() && (t.back() == '*' || t.back() == '_' || t.back() == ':'))
      t.remove_suffix(1);
    return ascii_lower(trim(t));
  };
  auto key = strip(s.substr(0, colon));
  bool known = key == "summary" || key == "subtasks" || key == "sub-tasks" || key == "tasks"
               || key == "steps";
  if (!known)
    return std::nullopt;
  section_label label;
  label.opens = key == "summary" ? section::summary : section::subtasks;
  if (colon != std::string_view::npos) {
    auto rest = s.substr(colon + 1);
    while (!rest.empty() && (rest.front() == '*' || rest.front() == '_'))
      rest.remove_prefix(1);
    label.rest = trim(rest);
  }
  return label;
}

} // namespace et::plan
