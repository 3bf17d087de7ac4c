#pragma once
/// OpenAI's token counting (POST /responses/input_tokens at api.openai.com): a conversation as
/// the Responses API's input items. Included by openai.cpp only.

#include <boost/json.hpp>

#include "et/llm/chat.hpp"

namespace et::wire::detail {

/// The body counting the input tokens of `req`: its messages as input items (text messages by
/// role, tool calls as function_call items, tool results as function_call_output items) and its
/// tools as Responses function tools.
boost::json::object openai_input_tokens_body(const chat_request& req);

} // namespace et::wire::detail
