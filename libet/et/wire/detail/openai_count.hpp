#pragma once
/// OpenAI's token counting (POST /responses/input_tokens at api.openai.com): a conversation as
/// the Responses API's input items. Included by openai.cpp only.

#include <boost/json.hpp>

#include "et/llm/chat.hpp"
#include "et/wire/codec.hpp"

namespace et::wire::detail {

/// The body counting the input tokens of `req`: its messages as input items (text messages by
/// role, tool calls as function_call items, tool results as function_call_output items) and its
/// tools as Responses function tools.
boost::json::object openai_input_tokens_body(const chat_request& req);

/// The counting request for `req` at base path `path`, without its key (the codec adds it);
/// unsupported unless the provider is api.openai.com (`official`).
result<http_request> openai_count_request(std::string_view path, bool official,
                                          const chat_request& req);

} // namespace et::wire::detail
