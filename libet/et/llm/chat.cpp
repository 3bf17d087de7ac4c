#include "et/llm/chat.hpp"

#include "et/llm/plausible.hpp"

namespace et {

std::string_view to_string(role r) {
  switch (r) {
    case role::system:
      return "system";
    case role::user:
      return "user";
    case role::assistant:
      return "assistant";
    case role::tool:
      return "tool";
  }
  return "user";
}

std::string_view to_string(finish_reason r) {
  switch (r) {
    case finish_reason::unknown:
      return "unknown";
    case finish_reason::stop:
      return "stop";
    case finish_reason::length:
      return "length";
    case finish_reason::tool_calls:
      return "tool_calls";
    case finish_reason::content_filter:
      return "content_filter";
  }
  return "unknown";
}

// Saturating: counts summed over many runs must never wrap to negative.
usage& usage::operator+=(const usage& other) {
  prompt_tokens = saturating_add(prompt_tokens, other.prompt_tokens);
  completion_tokens = saturating_add(completion_tokens, other.completion_tokens);
  cache_read_tokens = saturating_add(cache_read_tokens, other.cache_read_tokens);
  cache_write_tokens = saturating_add(cache_write_tokens, other.cache_write_tokens);
  reasoning_tokens = saturating_add(reasoning_tokens, other.reasoning_tokens);
  return *this;
}

void coalesce(std::vector<chunk>& pieces) {
  if (pieces.size() < 2)
    return;
  size_t last = 0;
  for (size_t i = 1; i < pieces.size(); ++i) {
    auto& into = pieces[last];
    auto& next = pieces[i];
    // Thinking after text or a signature, or a signature after text, would move before it in
    // one piece: that starts a new piece, as does a redacted block. A signature's parts join.
    bool split = (!next.reasoning.empty() && (!into.text.empty() || !into.signature.empty()))
                 || (!next.signature.empty() && !into.text.empty());
    if (into.redacted.empty() && next.redacted.empty() && !split) {
      into.reasoning += next.reasoning;
      into.signature += next.signature;
      into.text += next.text;
    } else if (++last != i) {
      pieces[last] = std::move(next);
    }
  }
  pieces.resize(last + 1);
}

} // namespace et
