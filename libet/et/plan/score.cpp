#include "et/plan/score.hpp"

#include <charconv>
#include <optional>
#include <vector>

#include "et/plan/markdown.hpp"
#include "et/util/text.hpp"

namespace et::plan {

namespace {

constexpr size_t none = std::string_view::npos;

// How much a score line is trusted.
enum class trust { bare_number = 1, label_in_sentence = 2, label_first = 3 };

struct number {
  double value = 0;
  std::optional<double> denominator; // "/10", "out of 10", "%"
  size_t end = 0;                    // where the number (and denominator) ends
};

struct candidate {
  trust level = trust::bare_number;
  size_t line = 0;
  size_t extra_line = none; // the number's own line under a label line
  number n;
  std::string rest; // text after the number on the same line
};

// A line lower-cased, without emphasis marks, heading, quote or bullet
// markers; `origin` maps each character back to the line.
struct plain_line {
  std::string text;
  std::vector<size_t> origin;
};

plain_line plain(std::string_view line) {
  plain_line out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '*' || line[i] == '_' || line[i] == '`')
      continue;
    out.text.push_back(line[i]);
    out.origin.push_back(i);
  }
  out.text = ascii_lower(out.text);
  size_t start = 0;
  auto& t = out.text;
  while (start < t.size()
         && (t[start] == '#' || t[start] == '>' || t[start] == ' ' || t[start] == '\t'
             || (t[start] == '-' && start + 1 < t.size() && t[start + 1] == ' ')))
    ++start;
  size_t end = t.size();
  while (end > start && (t[end - 1] == ' ' || t[end - 1] == '\t'))
    --end;
  t = t.substr(start, end - start);
  out.origin = {out.origin.begin() + static_cast<std::ptrdiff_t>(start),
                out.origin.begin() + static_cast<std::ptrdiff_t>(end)};
  return out;
}

size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
    ++i;
  return i;
}

std::optional<double> digits_at(std::string_view s, size_t& i) {
  size_t start = i;
  double value = 0;
  for (; i < s.size() && is_digit(s[i]); ++i)
    value = value * 10 + (s[i] - '0');
  if (i == start)
    return std::nullopt;
  if (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
    double scale = 0.1;
    for (++i; i < s.size() && is_digit(s[i]); ++i, scale /= 10)
      value += (s[i] - '0') * scale;
  }
  return value;
}

// "7", "-1", "7.5/10", "8 out of 10", "85%" at `i`.
std::optional<number> read_number(std::string_view s, size_t i, bool allow_sign) {
  bool negative = allow_sign && i < s.size() && s[i] == '-';
  if (negative)
    ++i;
  auto value = digits_at(s, i);
  if (!value)
    return std::nullopt;
  number n{negative ? -*value : *value, std::nullopt, i};
  size_t j = skip_spaces(s, i);
  if (j < s.size() && s[j] == '%') {
    n.denominator = 100;
    n.end = j + 1;
  } else if (j < s.size() && (s[j] == '/' || s.substr(j).starts_with("out of"))) {
    j = skip_spaces(s, j + (s[j] == '/' ? 1 : 6));
    if (auto d = digits_at(s, j)) {
      n.denominator = *d;
      n.end = j;
    }
  }
  return n;
}

// Skips what sits between a label and its number: "(0-10)", ":", "=", "-", "is", "of".
size_t skip_to_value(std::string_view s, size_t i, bool& separated) {
  for (int steps = 0; steps < 8; ++steps) {
    i = skip_spaces(s, i);
    if (i >= s.size())
      break;
    auto rest = s.substr(i);
    if (rest.front() == '(' && rest.find(')') != none) {
      i += rest.find(')') + 1;
    } else if (rest.front() == ':' || rest.front() == '=') {
      separated = true;
      ++i;
    } else if (rest.front() == '-' && !(separated && rest.size() > 1 && is_digit(rest[1]))) {
      separated = true;
      ++i;
    } else if (rest.starts_with("\xE2\x80\x93") || rest.starts_with("\xE2\x80\x94")) {
      separated = true;
      i += 3;
    } else if (rest.starts_with("is ") || rest.starts_with("of ")) {
      i += 3;
    } else {
      break;
    }
  }
  return i;
}

bool word_at(std::string_view s, size_t pos, size_t len) {
  bool before = pos == 0 || !is_alnum(s[pos - 1]);
  bool after = pos + len >= s.size() || !is_alnum(s[pos + len]);
  return before && after;
}

bool starts_line(std::string_view p, size_t pos) {
  auto head = trim(p.substr(0, pos));
  return head.empty() || head == "final" || head == "overall" || head == "total" || head == "my";
}

// Text after the score worth keeping in the note: "— tests are missing".
std::string_view remainder(std::string_view text, size_t end) {
  auto rest = text.substr(std::min(end, text.size()));
  auto junk = [](char c) {
    return c == ' ' || c == '\t' || c == '-' || c == '.' || c == ',' || c == ':' || c == ';'
           || c == '*' || c == '_' || c == '`' || c == ')' || static_cast<unsigned char>(c) >= 0x80;
  };
  while (!rest.empty() && junk(rest.front()))
    rest.remove_prefix(1);
  return trim(rest);
}

// The remainder of the original line (case and emphasis intact).
std::string original_rest(std::string_view line, const plain_line& p, size_t end) {
  if (remainder(p.text, end).empty())
    return {};
  auto from = end < p.origin.size() ? p.origin[end] : line.size();
  return std::string{remainder(line, from)};
}

// "8.5", "11", "-2": shortest form, for messages.
std::string format_number(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc{} ? std::string(buffer, end) : std::string{"?"};
}

class scanner {
public:
  explicit scanner(std::string_view review) : lines_(split_lines(review)) {
    fenced_ = fenced_lines(lines_);
    for (size_t i = 0; i < lines_.size(); ++i)
      if (!fenced_[i])
        scan_line(i);
  }

  // The most trusted score line, if any.
  const std::optional<candidate>& best() const { return best_; }
  // Whether any line names a score, with or without a number.
  bool label_seen() const { return label_seen_; }
  const std::vector<std::string_view>& lines() const { return lines_; }

private:
  void offer(candidate c) {
    if (!best_ || c.level >= best_->level)
      best_ = std::move(c);
  }

  void scan_line(size_t index) {
    auto p = plain(lines_[index]);
    const auto& t = p.text;
    for (std::string_view label : {"score", "rating"})
      for (auto pos = t.find(label); pos != none; pos = t.find(label, pos + 1))
        if (word_at(t, pos, label.size()) && labelled(index, p, pos, label.size()))
          return;
    if (auto n = read_number(t, 0, true); n && remainder(t, n->end).empty())
      offer({trust::bare_number, index, none, *n, {}});
  }

  bool labelled(size_t index, const plain_line& p, size_t pos, size_t len) {
    const auto& t = p.text;
    label_seen_ = true;
    bool separated = false;
    auto at = skip_to_value(t, pos + len, separated);
    auto level = starts_line(t, pos) ? trust::label_first : trust::label_in_sentence;
    if (auto n = read_number(t, at, separated)) {
      offer({level, index, none, *n, original_rest(lines_[index], p, n->end)});
      return true;
    }
    if (at < t.size() || level != trust::label_first)
      return false;
    return number_below(index);
  }

  // "## Score" with the number alone on the next non-blank line.
  bool number_below(size_t index) {
    for (size_t next = index + 1; next < lines_.size() && !fenced_[next]; ++next) {
      auto t = plain(lines_[next]).text;
      if (t.empty())
        continue;
      auto n = read_number(t, 0, true);
      if (!n || !remainder(t, n->end).empty())
        return false;
      offer({trust::label_first, index, next, *n, {}});
      return true;
    }
    return false;
  }

  std::vector<std::string_view> lines_;
  std::vector<bool> fenced_;
  std::optional<candidate> best_;
  bool label_seen_ = false;
};

// A bare number only counts when no line names a score.
bool usable(const scanner& scan) {
  return scan.best() && !(scan.label_seen() && scan.best()->level == trust::bare_number);
}

} // namespace

result<double> parse_score(std::string_view review, double scale_max) {
  scanner scan{review};
  if (!usable(scan))
    return make_failure(errc::invalid_input, scan.label_seen()
                                                 ? "the review names a score but gives no number"
                                                 : "the review has no score");
  const auto& n = scan.best()->n;
  if (n.denominator && *n.denominator <= 0)
    return make_failure(errc::invalid_input, "the review's score has a zero denominator");
  double value = n.denominator ? n.value / *n.denominator * scale_max : n.value;
  if (!(value >= 0 && value <= scale_max))
    return make_failure(errc::invalid_input, "the review's score " + format_number(value)
                                                 + " is outside 0.." + format_number(scale_max));
  return value;
}

std::string review_note(std::string_view review) {
  scanner scan{review};
  const auto& best = scan.best();
  bool drop = usable(scan) && best->level != trust::label_in_sentence;
  std::vector<std::string> kept;
  for (size_t i = 0; i < scan.lines().size(); ++i) {
    std::string line{scan.lines()[i]};
    if (drop && (i == best->line || i == best->extra_line)) {
      if (best->rest.empty())
        continue;
      line = best->rest;
    }
    bool blank = trim(line).empty();
    if (blank && (kept.empty() || trim(kept.back()).empty()))
      continue;
    kept.push_back(std::move(line));
  }
  return std::string{trim(join(kept, "\n"))};
}

} // namespace et::plan
