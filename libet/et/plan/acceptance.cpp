#include "et/plan/acceptance.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "et/util/text.hpp"

namespace et::plan {

namespace {

constexpr size_t max_reason_bytes = 2048;

// Leading list markers, emphasis and code marks: "- **2.**" -> "2.".
std::string_view strip_decoration(std::string_view s) {
  s = trim(s);
  while (!s.empty()
         && (s.front() == '-' || s.front() == '*' || s.front() == '`' || s.front() == '#'
             || s.front() == ' '))
    s.remove_prefix(1);
  return s;
}

// The criterion number at the start of `line` ("2." "2)" "2:"), and the rest after it.
std::optional<int> leading_number(std::string_view& line) {
  size_t digits = 0;
  while (digits < line.size() && digits < 4
         && std::isdigit(static_cast<unsigned char>(line[digits])))
    ++digits;
  if (digits == 0
      || (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))))
    return std::nullopt;
  int n = std::stoi(std::string{line.substr(0, digits)});
  line.remove_prefix(digits);
  line = strip_decoration(line);
  while (!line.empty()
         && (line.front() == '.' || line.front() == ')' || line.front() == ':'
             || line.front() == '*' || line.front() == '`'))
    line.remove_prefix(1);
  line = strip_decoration(line);
  return n;
}

// "[subtasks: 2, 3]" anywhere in `why`: the numbers inside 1..plan, and `why` without it.
std::vector<int> blamed(std::string& why, int plan) {
  std::vector<int> out;
  auto at = ascii_lower(why).find("[subtask");
  if (at == std::string::npos)
    return out;
  auto end = why.find(']', at);
  if (end == std::string::npos)
    return out;
  std::set<int> seen;
  std::string inside = why.substr(at, end - at);
  for (size_t i = 0; i < inside.size();) {
    if (!std::isdigit(static_cast<unsigned char>(inside[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < inside.size() && j - i < 4 && std::isdigit(static_cast<unsigned char>(inside[j])))
      ++j;
    int n = std::stoi(inside.substr(i, j - i));
    if (n >= 1 && n <= plan && seen.insert(n).second)
      out.push_back(n);
    while (j < inside.size() && std::isdigit(static_cast<unsigned char>(inside[j])))
      ++j; // a longer number is out of range anyway
    i = j;
  }
  why.erase(at, end - at + 1);
  why = std::string{trim(why)};
  return out;
}

} // namespace

std::vector<criterion_result>
parse_acceptance(std::string_view answer, const std::vector<std::string>& criteria, int subtasks) {
  std::vector<criterion_result> out;
  std::vector<bool> judged(criteria.size(), false);
  for (const auto& c : criteria)
    out.push_back(criterion_result{c, false, "not judged by the witness", {}});
  size_t begin = 0;
  while (begin < answer.size()) {
    auto end = answer.find('\n', begin);
    if (end == std::string_view::npos)
      end = answer.size();
    auto line = strip_decoration(answer.substr(begin, end - begin));
    begin = end + 1;
    auto n = leading_number(line);
    if (!n || *n < 1 || static_cast<size_t>(*n) > criteria.size() || judged[*n - 1])
      continue;
    if (line.size() < 4)
      continue; // a number and no verdict after it
    auto verdict = ascii_lower(line.substr(0, 4));
    bool word = line.size() == 4 || !std::isalnum(static_cast<unsigned char>(line[4]));
    if ((verdict != "pass" && verdict != "fail") || !word)
      continue; // "passable", "failed": not the verdict asked for
    auto& r = out[*n - 1];
    judged[*n - 1] = true;
    r.passed = verdict == "pass";
    auto rest = line.substr(4);
    while (!rest.empty()
           && (rest.front() == '*' || rest.front() == '`' || rest.front() == ':'
               || rest.front() == ' ' || rest.front() == '-'))
      rest.remove_prefix(1);
    r.why = r.passed ? std::string{} : clip_utf8(trim(rest), max_reason_bytes);
    if (!r.passed) {
      r.subtasks = blamed(r.why, subtasks);
      if (r.why.empty())
        r.why = "no reason given";
    }
  }
  return out;
}

std::string acceptance_instructions() {
  return "Reply with one line per criterion, in order, starting with its number: `N. pass` "
         "when the result fully meets it, or `N. fail: <what is missing and how to fix it> "
         "[subtasks: A, B]` naming the subtasks whose work must change. Nothing else.";
}

} // namespace et::plan
