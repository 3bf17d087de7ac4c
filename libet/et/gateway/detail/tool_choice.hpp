#pragma once
/// How a client lets the model use its tools, in each client protocol: OpenAI's and the
/// Responses API's `tool_choice` and `parallel_tool_calls`, Anthropic's `tool_choice` (with
/// `disable_parallel_tool_use`). Decoded into the request's tool_policy; checked against the tools
/// on offer once the whole request is read (settle_tools). Included by .cpp files only.

#include <boost/json/fwd.hpp>

#include "et/gateway/request.hpp"
#include "et/util/result.hpp"

namespace et::gateway::detail {

/// OpenAI chat `tool_choice`: "auto", "none", "required" or {"type":"function","function":
/// {"name"}}; allowed_tools and custom choices are unsupported.
result<void> openai_tool_choice(const boost::json::value& v, client_request& out);

/// Responses `tool_choice`: "auto", "none", "required", {"type":"function","name"} or
/// {"type":"custom","name"}; built-in tool choices are unsupported.
result<void> responses_tool_choice(const boost::json::value& v, client_request& out);

/// Anthropic `tool_choice`: {"type": "auto" | "any" | "tool" (with "name") | "none",
/// "disable_parallel_tool_use"}.
result<void> anthropic_tool_choice(const boost::json::value& v, client_request& out);

/// OpenAI's and the Responses API's `parallel_tool_calls`: true, false (one call a turn) or
/// null.
result<void> parallel_tool_calls(const boost::json::value& v, client_request& out);

/// The end of every decoding: tool_choice none keeps the tools in view and lets the model call
/// none of them (and holds nothing to one call), a tool the client requires must be one on offer
/// (and some tool must be), and each tool turn is named after its call (name_tool_results).
result<void> settle_tools(client_request& out);

} // namespace et::gateway::detail
