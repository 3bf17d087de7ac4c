#pragma once
/// The body of an Anthropic messages request: et's conversation as Anthropic's alternating
/// turns (tool results in user turns, signed thinking first in assistant turns when the request
/// thinks), the system prompt, tools, sampling and thinking. Included by anthropic.cpp only.

#include <boost/json.hpp>

#include "et/llm/chat.hpp"

namespace et::wire::detail {

/// The JSON body of `req`, streamed or not.
boost::json::object anthropic_request_body(const chat_request& req, bool stream);

/// The JSON body of a count_tokens request for `req`: what the model would read (messages,
/// system, tools, thinking), without the answer's settings the endpoint refuses.
boost::json::object anthropic_count_body(const chat_request& req);

} // namespace et::wire::detail
