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

} // namespace et
