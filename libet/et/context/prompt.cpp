#include "et/context/prompt.hpp"

#include <algorithm>

#include "et/util/quote.hpp"

namespace et::context {

std::string source_of(const hit& h) {
  return h.path + ":" + std::to_string(h.start_line) + "-" + std::to_string(h.end_line);
}

std::string quoted_block(const std::vector<hit>& hits, size_t max_bytes, std::string_view intro,
                         std::vector<std::string>* sources) {
  std::vector<const hit*> fit;
  std::vector<std::string> names;
  std::vector<std::string_view> texts;
  size_t used = 0;
  for (const auto& h : hits) {
    if (used + h.text.size() > max_bytes)
      continue; // a smaller one further down may still fit
    used += h.text.size();
    fit.push_back(&h);
    names.push_back(source_of(h));
  }
  if (fit.empty())
    return {};
  for (size_t i = 0; i < fit.size(); ++i) {
    texts.push_back(fit[i]->text);
    texts.push_back(names[i]);
  }
  // Files and pages are anyone's words: a line in one must not pass for a source of its own.
  quote_marks marks{texts};
  std::string out{intro};
  out += " " + marks.rule() + "\n\n";
  for (size_t i = 0; i < fit.size(); ++i)
    out += marks.quote(fit[i]->text, names[i]);
  if (sources)
    *sources = std::move(names);
  return out;
}

excerpts excerpts_of(const std::vector<hit>& hits, size_t max_bytes) {
  excerpts out;
  out.block = quoted_block(hits, max_bytes,
                           "Project context: excerpts of the project's files retrieved for this "
                           "task, each quoted under its source (path:first-last line). Use what "
                           "is relevant.",
                           &out.sources);
  return out;
}

std::string context_block(const std::vector<hit>& hits, size_t max_bytes) {
  return excerpts_of(hits, max_bytes).block;
}

size_t context_budget(std::optional<int64_t> window) {
  constexpr int64_t min_bytes = 2048;
  constexpr int64_t max_bytes = 32768;
  if (!window || *window <= 0)
    return max_context_bytes;
  // Divided first: a window near INT64_MAX (a lie from a price file) cannot overflow.
  return static_cast<size_t>(std::clamp(*window / 8 * 4, min_bytes, max_bytes));
}

} // namespace et::context
