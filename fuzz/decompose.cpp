// Fuzz target: the plan parser (et/plan/decompose) on a supervisor's answer, with no cap and
// with a cap taken from the input. Invariants: deterministic; blank text fails and other text
// parses; subtasks are numbered 1..N under the cap; dependencies are ascending, unique, known
// and never self; the waves hold every subtask once and each wave depends only on earlier ones.

#include <algorithm>
#include <cctype>
#include <set>

#include "et/plan/decompose.hpp"
#include "fuzz_support.hpp"

namespace {

void check(std::string_view text, size_t cap) {
  auto r = et::plan::parse_decomposition(text, cap);
  auto again = et::plan::parse_decomposition(text, cap);
  FUZZ_CHECK(r.has_value() == again.has_value(), "parsing is not deterministic");
  bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank)
    FUZZ_CHECK(!r, "blank text parsed");
  if (!r)
    return;
  const auto& d = *r;
  FUZZ_CHECK(d.summary == again->summary && d.subtasks == again->subtasks
                 && d.warnings == again->warnings,
             "parsing is not deterministic");
  FUZZ_CHECK(cap == 0 || d.subtasks.size() <= cap, "more subtasks than the cap");
  FUZZ_CHECK(d.proposed >= d.subtasks.size(), "fewer proposed than kept");
  int n = static_cast<int>(d.subtasks.size());
  for (int i = 0; i < n; ++i) {
    const auto& s = d.subtasks[static_cast<size_t>(i)];
    FUZZ_CHECK(s.number == i + 1, "subtasks are not numbered 1..N");
    FUZZ_CHECK(std::is_sorted(s.depends_on.begin(), s.depends_on.end()), "unsorted dependencies");
    FUZZ_CHECK(std::adjacent_find(s.depends_on.begin(), s.depends_on.end()) == s.depends_on.end(),
               "a dependency listed twice");
    for (int dep : s.depends_on)
      FUZZ_CHECK(dep >= 1 && dep <= n && dep != s.number, "an unknown or self dependency");
    for (char c : s.specialist)
      FUZZ_CHECK(!std::isupper(static_cast<unsigned char>(c)), "specialist not lower-cased");
  }
  std::vector<int> wave_of(static_cast<size_t>(n) + 1, -1);
  auto waves = et::plan::waves(d);
  for (size_t w = 0; w < waves.size(); ++w)
    for (int number : waves[w]) {
      FUZZ_CHECK(number >= 1 && number <= n, "an unknown subtask in a wave");
      FUZZ_CHECK(wave_of[static_cast<size_t>(number)] < 0, "a subtask in two waves");
      wave_of[static_cast<size_t>(number)] = static_cast<int>(w);
    }
  for (const auto& s : d.subtasks) {
    FUZZ_CHECK(wave_of[static_cast<size_t>(s.number)] >= 0, "a subtask in no wave");
    for (int dep : s.depends_on)
      FUZZ_CHECK(wave_of[static_cast<size_t>(dep)] < wave_of[static_cast<size_t>(s.number)],
                 "a subtask runs before its dependency");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = et::fuzz::bytes(data, size);
  check(text, 0);
  check(text, 1 + et::fuzz::hash(text) % 12);
  return 0;
}
