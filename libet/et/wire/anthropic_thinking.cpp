#include "et/wire/detail/anthropic_thinking.hpp"

#include <algorithm>
#include <optional>

#include "et/wire/detail/common.hpp"

namespace et::wire::detail {

namespace json = boost::json;

namespace {

using style = thinking_style;

// Whether the conversation's last assistant turn, when it called tools (a tool loop goes on),
// carried its thinking: Anthropic checks that turn only.
bool tool_turn_signed(const chat_request& req) {
  for (auto m = req.messages.rbegin(); m != req.messages.rend(); ++m)
    if (m->who == role::assistant)
      return m->tool_calls.empty() || !m->thoughts.empty();
  return true;
}

// The budget an effort word stands for (nullopt: none said), from Anthropic's guidance that
// 1024 is the least and returns diminish past 32k.
std::optional<int32_t> effort_budget(const std::string& effort) {
  if (effort == "minimal")
    return 1024;
  if (effort == "low")
    return 2048;
  if (effort == "medium")
    return 8192;
  if (effort == "high")
    return 16384;
  if (effort == "xhigh" || effort == "max")
    return 32000;
  return std::nullopt;
}

// The client's own budget below max_tokens; else its effort's, or half of max_tokens, at most
// half of it (the answer needs the rest).
int32_t budget_for(const chat_request& req, int32_t max_tokens) {
  const auto& t = req.thinking;
  if (t.budget_tokens)
    return std::clamp(*t.budget_tokens, min_thinking_budget, max_tokens - 1);
  auto wanted = std::min(effort_budget(t.effort).value_or(max_tokens / 2), max_tokens / 2);
  return std::clamp(wanted, min_thinking_budget, max_tokens - 1);
}

} // namespace

bool thinking_on(const chat_request& req, int32_t max_tokens) {
  const auto& t = req.thinking;
  if (t.asked != thinking_request::want::on || t.takes == style::unknown)
    return false;
  if (t.takes == style::budget && max_tokens <= min_thinking_budget)
    return false;
  return tool_turn_signed(req);
}

void add_thinking(json::object& body, const chat_request& req, int32_t max_tokens, bool on) {
  const auto& t = req.thinking;
  if (!on) {
    if (t.asked == thinking_request::want::off && t.takes != style::unknown)
      body["thinking"] = json::object{{"type", "disabled"}};
    return;
  }
  if (t.takes == style::adaptive) {
    body["thinking"] = json::object{{"type", "adaptive"}};
  } else {
    body["thinking"] =
        json::object{{"type", "enabled"}, {"budget_tokens", budget_for(req, max_tokens)}};
  }
  body.erase("temperature");
  body.erase("top_p");
}

json::object thought_block(const thought& t) {
  if (!t.redacted.empty())
    return {{"type", "redacted_thinking"}, {"data", t.redacted}};
  return {{"type", "thinking"}, {"thinking", t.text}, {"signature", t.signature}};
}

bool read_thought(const json::object& b, chat_response& r) {
  auto type = get_string(b, "type");
  if (type == "thinking") {
    auto text = get_string(b, "thinking");
    r.reasoning += text;
    // Unsigned (an Anthropic-compatible server's): nothing to send back, which Anthropic would
    // refuse with an empty signature.
    if (auto signature = get_string(b, "signature"); !signature.empty())
      r.thoughts.push_back(thought{.text = std::string{text}, .signature = std::string{signature}});
    return true;
  }
  if (type == "redacted_thinking") {
    if (auto data = get_string(b, "data"); !data.empty()) // without its data it is nothing
      r.thoughts.push_back(thought{.redacted = std::string{data}});
    return true;
  }
  return false;
}

result<void> check_thoughts(std::size_t count) {
  if (count > max_thoughts)
    return make_failure(errc::invalid_input, "the answer has more than "
                                                 + std::to_string(max_thoughts)
                                                 + " thinking blocks");
  return {};
}

} // namespace et::wire::detail
