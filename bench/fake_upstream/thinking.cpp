#include "thinking.hpp"

#include <boost/json.hpp>

namespace et::fake {

namespace json = boost::json;

namespace {

std::string_view text_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view{v->get_string()} : std::string_view{};
}

// The config's own rules: a known type, and a budget of at least 1024 below max_tokens.
std::string config_refusal(const json::object& body, bool& on) {
  const auto* t = body.if_contains("thinking");
  if (t == nullptr)
    return {};
  if (!t->is_object())
    return "thinking: Input should be an object";
  auto type = text_at(t->get_object(), "type");
  if (type == "disabled")
    return {};
  if (type != "enabled" && type != "adaptive")
    return "thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'";
  on = true;
  if (type == "adaptive")
    return {};
  const auto* budget = t->get_object().if_contains("budget_tokens");
  const auto* max = body.if_contains("max_tokens");
  if (budget == nullptr || !budget->is_int64() || budget->get_int64() < 1024)
    return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
  if (max != nullptr && max->is_int64() && budget->get_int64() >= max->get_int64())
    return "`max_tokens` must be greater than `thinking.budget_tokens`";
  return {};
}

std::string sampling_refusal(const json::object& body) {
  const auto* temperature = body.if_contains("temperature");
  if (temperature != nullptr
      && !(temperature->is_number() && temperature->to_number<double>() == 1))
    return "`temperature` may only be set to 1 when thinking is enabled";
  const auto* top_p = body.if_contains("top_p");
  if (top_p != nullptr && !(top_p->is_number() && top_p->to_number<double>() >= 0.95))
    return "`top_p` must be greater than or equal to 0.95 when thinking is enabled";
  return {};
}

// Every thinking block sent back carries the signature it was given.
std::string signature_refusal(const json::array& messages) {
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto* content =
        messages[i].is_object() ? messages[i].get_object().if_contains("content") : nullptr;
    if (content == nullptr || !content->is_array())
      continue;
    for (std::size_t j = 0; j < content->get_array().size(); ++j) {
      const auto& block = content->get_array()[j];
      if (block.is_object() && text_at(block.get_object(), "type") == "thinking"
          && text_at(block.get_object(), "signature") != fake_thinking_signature)
        return "messages." + std::to_string(i) + ".content." + std::to_string(j)
               + ": Invalid `signature` in `thinking` block";
    }
  }
  return {};
}

// With thinking on, the final assistant turn, when it used a tool, starts with its thinking.
std::string tool_loop_refusal(const json::array& messages) {
  for (std::size_t i = messages.size(); i-- > 0;) {
    if (!messages[i].is_object() || text_at(messages[i].get_object(), "role") != "assistant")
      continue;
    const auto* content = messages[i].get_object().if_contains("content");
    if (content == nullptr || !content->is_array() || content->get_array().empty())
      return {};
    bool uses_tool = false;
    for (const auto& b : content->get_array())
      uses_tool = uses_tool || (b.is_object() && text_at(b.get_object(), "type") == "tool_use");
    if (!uses_tool)
      return {};
    const auto& first = content->get_array().front();
    auto type = first.is_object() ? text_at(first.get_object(), "type") : std::string_view{};
    if (type == "thinking" || type == "redacted_thinking")
      return {};
    return "messages." + std::to_string(i)
           + ".content.0.type: Expected `thinking` or "
             "`redacted_thinking`, but found `"
           + std::string{type}
           + "`. When `thinking` is "
             "enabled, a final `assistant` message must start with a thinking block";
  }
  return {};
}

} // namespace

std::string anthropic_thinking_refusal(const json::object& body, bool& thinking_on) {
  thinking_on = false;
  if (auto why = config_refusal(body, thinking_on); !why.empty())
    return why;
  const auto* messages = body.if_contains("messages");
  if (messages == nullptr || !messages->is_array())
    return {};
  if (auto why = signature_refusal(messages->get_array()); !why.empty())
    return why;
  if (!thinking_on)
    return {};
  if (auto why = sampling_refusal(body); !why.empty())
    return why;
  return tool_loop_refusal(messages->get_array());
}

std::string anthropic_refusal_body(std::string_view message) {
  return json::serialize(json::object{
      {"type", "error"}, {"error", {{"type", "invalid_request_error"}, {"message", message}}}});
}

} // namespace et::fake
