#pragma once
/// OpenAI's reasoning models (o1, o3, o4, gpt-5) at api.openai.com: which they are, and the
/// effort word each of them takes. Included by openai.cpp only.

#include <string_view>

namespace et::wire::detail {

/// True for a reasoning model: api.openai.com rejects max_tokens, temperature and top_p for
/// them (compatible servers may not know max_completion_tokens at all).
bool is_reasoning_model(std::string_view model);

/// The effort word every OpenAI reasoning model takes (o-series: low, medium, high; gpt-5 adds
/// minimal, gpt-5.1 none and xhigh but drops minimal) nearest the client's `effort`; "" to send
/// none: no word, "none" (not every model can stop thinking), or a chat model (no effort).
std::string_view reasoning_effort(std::string_view model, std::string_view effort);

} // namespace et::wire::detail
