#include "et/context/prompt.hpp"

namespace et::context {

std::string source_of(const hit& h) {
  return h.path + ":" + std::to_string(h.start_line) + "-" + std::to_string(h.end_line);
}

std::string context_block(const std::vector<hit>& hits, size_t max_bytes) {
  std::string body;
  size_t used = 0;
  for (const auto& h : hits) {
    if (used + h.text.size() > max_bytes)
      continue; // a smaller one further down may still fit
    used += h.text.size();
    body += "--- " + source_of(h) + "\n" + h.text;
    if (!h.text.empty() && h.text.back() != '\n')
      body += '\n';
  }
  if (body.empty())
    return {};
  return "Project context: excerpts of the project's files retrieved for this task, each "
         "under its source (path:first-last line). Use what is relevant.\n\n"
         + body;
}

} // namespace et::context
