#pragma once
/// A request's tool policy (chat_request::tool_use) in each protocol's words: OpenAI
/// `tool_choice` and `parallel_tool_calls`, Anthropic `tool_choice` with
/// `disable_parallel_tool_use`, Gemini `toolConfig.functionCallingConfig`; Ollama has none (it is
/// not offered tools the model may not call). One call a turn, where a protocol cannot say it, is
/// held by the gateway instead (gateway::hold_to_policy). Included by et/wire .cpp files only.

#include <boost/json.hpp>
#include <string_view>

#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::wire::detail {

/// OpenAI: `tool_choice` "none", "required" or the named function, `parallel_tool_calls` false;
/// nothing when no tools are on offer or the policy is the default. OpenAI's reasoning models
/// (`reasoning`) refuse parallel_tool_calls: one call a turn is held by the gateway for them.
void add_openai_tool_policy(boost::json::object& body, const chat_request& req, bool reasoning);

/// Anthropic: `tool_choice` none, any or the named tool, with `disable_parallel_tool_use`.
/// Anthropic refuses a required tool call in a request that thinks (the `thinking` of `body`):
/// unsupported then.
result<void> add_anthropic_tool_policy(boost::json::object& body, const chat_request& req);

/// Gemini: `toolConfig.functionCallingConfig` mode NONE, or ANY limited to the named function.
void add_gemini_tool_policy(boost::json::object& body, const chat_request& req);

/// unsupported when `req` requires a tool call: `protocol` ("ollama") has no way to ask for one.
result<void> refuse_required_tools(const chat_request& req, std::string_view protocol);

} // namespace et::wire::detail
