#pragma once
/// What a client says about how a model should think or manage its context, which et checks
/// and does not pass on yet: Anthropic's thinking and context_management (and
/// output_config.effort, in formats.hpp). Claude Code sends all three with its requests, so
/// refusing them made the gateway unusable from it; every upstream does what it does by
/// default instead, and the thinking it does is shown when the client asked for thinking.
/// Passing thinking on to a Claude upstream needs its signed thinking blocks carried back
/// through the client's next turn of a tool loop, and a mode each model accepts (4.5 and
/// older take only a budget, 4.7 only adaptive), neither of which et does yet.
/// Included by .cpp files only.

#include "et/gateway/detail/fields.hpp"

namespace et::gateway::detail {

/// Anthropic's thinking: {"type": "enabled" | "adaptive" | "disabled", "budget_tokens": n,
/// "display": "summarized" | "omitted"}; true when the client wants to see the thinking
/// (enabled or adaptive, not omitted).
result<bool> anthropic_thinking(const json::value& v, const limits& bounds);

/// Anthropic's context_management: {"edits": [{"type": "...", ...}, ...]}, server-side
/// clearing of old tool results and thinking; each edit's settings are not read.
result<void> anthropic_context_management(const json::value& v);

} // namespace et::gateway::detail
