#pragma once
/// The body of an Anthropic messages request: et's conversation as Anthropic's alternating
/// turns (tool results in user turns, signed thinking first in assistant turns when the request
/// thinks), the system prompt, tools, sampling and thinking. Included by anthropic.cpp only.

#include <boost/json.hpp>

#include "et/llm/chat.hpp"

namespace et::wire::detail {

/// The JSON body of `req`, streamed or not.
boost::json::object anthropic_request_body(const chat_request& req, bool stream);

} // namespace et::wire::detail
