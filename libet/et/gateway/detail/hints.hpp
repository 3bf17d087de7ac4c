#pragma once
/// What a client says about how a model should think or manage its context: Anthropic's
/// thinking (passed on as chat_request::thinking, to the models whose alias says how they take
/// it; output_config.effort, in formats.hpp, goes with it) and context_management, which et
/// checks and does not pass on yet. Claude Code sends all three with its requests, so refusing
/// them made the gateway unusable from it.
/// Included by .cpp files only.

#include "et/gateway/detail/fields.hpp"

namespace et::gateway::detail {

/// Anthropic's thinking: {"type": "enabled" | "adaptive" | "disabled", "budget_tokens": n,
/// "display": "summarized" | "omitted"} into `out` (on or off, the budget); true when the client
/// turns thinking on, and so sees it (display is not passed on: older models do not take it).
result<bool> anthropic_thinking(const json::value& v, const limits& bounds, thinking_request& out);

/// Anthropic's context_management: {"edits": [{"type": "...", ...}, ...]}, server-side
/// clearing of old tool results and thinking; each edit's settings are not read.
result<void> anthropic_context_management(const json::value& v);

} // namespace et::gateway::detail
