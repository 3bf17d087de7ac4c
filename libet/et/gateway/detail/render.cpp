#include "et/gateway/detail/render.hpp"
#include "et/util/json_text.hpp"

namespace et::gateway::detail {

json::object openai_usage(const usage& u) {
  json::object o{{"prompt_tokens", u.prompt_tokens},
                 {"completion_tokens", u.completion_tokens},
                 {"total_tokens", u.prompt_tokens + u.completion_tokens}};
  if (u.cache_read_tokens > 0)
    o["prompt_tokens_details"] = json::object{{"cached_tokens", u.cache_read_tokens}};
  if (u.reasoning_tokens > 0)
    o["completion_tokens_details"] = json::object{{"reasoning_tokens", u.reasoning_tokens}};
  return o;
}

json::object anthropic_usage(const usage& u) {
  // Anthropic counts cached input apart from input_tokens; et's prompt_tokens includes it.
  auto cached = u.cache_read_tokens + u.cache_write_tokens;
  auto input = u.prompt_tokens >= cached ? u.prompt_tokens - cached : u.prompt_tokens;
  return json::object{{"input_tokens", input},
                      {"output_tokens", u.completion_tokens},
                      {"cache_creation_input_tokens", u.cache_write_tokens},
                      {"cache_read_input_tokens", u.cache_read_tokens}};
}

json::value nullable(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

std::string call_id(const tool_call& c, const answer_meta& meta, std::size_t i,
                    const char* prefix) {
  return c.id.empty() ? prefix + meta.id + "_" + std::to_string(i) : c.id;
}

json::array openai_calls(const chat_response& r, const answer_meta& meta, bool indexed) {
  json::array calls;
  for (std::size_t i = 0; i < r.tool_calls.size(); ++i) {
    const auto& c = r.tool_calls[i];
    json::object call{{"id", call_id(c, meta, i, "call_")},
                      {"type", "function"},
                      {"function", json::object{{"name", c.name}, {"arguments", c.arguments}}}};
    if (indexed)
      call["index"] = i;
    calls.push_back(std::move(call));
  }
  return calls;
}

json::value input_of(const tool_call& c) {
  boost::system::error_code ec;
  auto v = c.arguments.empty() ? json::value(json::object{}) : json::parse(c.arguments, ec);
  return ec || !v.is_object() ? json::value(json::object{}) : v;
}

json::object thinking_block(const thought& t) {
  if (!t.redacted.empty())
    return {{"type", "redacted_thinking"}, {"data", t.redacted}};
  return {{"type", "thinking"}, {"thinking", t.text}, {"signature", t.signature}};
}

json::array thinking_block_array(const std::vector<thought>& thoughts) {
  json::array blocks;
  for (const auto& t : thoughts)
    blocks.push_back(thinking_block(t));
  return blocks;
}

std::string sse(const json::value& v) {
  return "data: " + json_text(v) + "\n\n";
}

std::string named_sse(const char* event, const json::value& v) {
  return std::string{"event: "} + event + "\ndata: " + json_text(v) + "\n\n";
}

} // namespace et::gateway::detail
