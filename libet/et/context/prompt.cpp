#include "et/context/prompt.hpp"

#include <algorithm>

namespace et::context {

std::string source_of(const hit& h) {
  return h.path + ":" + std::to_string(h.start_line) + "-" + std::to_string(h.end_line);
}

excerpts excerpts_of(const std::vector<hit>& hits, size_t max_bytes) {
  excerpts out;
  std::string body;
  size_t used = 0;
  for (const auto& h : hits) {
    if (used + h.text.size() > max_bytes)
      continue; // a smaller one further down may still fit
    used += h.text.size();
    out.sources.push_back(source_of(h));
    body += "--- " + out.sources.back() + "\n" + h.text;
    if (!h.text.empty() && h.text.back() != '\n')
      body += '\n';
  }
  if (!body.empty())
    out.block = "Project context: excerpts of the project's files retrieved for this task, "
                "each under its source (path:first-last line). Use what is relevant.\n\n"
                + body;
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
