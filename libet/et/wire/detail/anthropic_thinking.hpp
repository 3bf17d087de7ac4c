#pragma once
/// Anthropic's thinking, both ways: the `thinking` a request asks for (only in the way its
/// model takes it, thinking_style), the signed thinking blocks sent back in assistant
/// turns, and the thinking blocks of an answer kept with their signatures. Included by
/// anthropic.cpp only.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>

#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::wire::detail {

/// The largest number of thinking blocks one answer may carry.
inline constexpr std::size_t max_thoughts = 1024;

/// Anthropic's smallest thinking budget.
inline constexpr int32_t min_thinking_budget = 1024;

/// Whether `req`, asking for at most `max_tokens`, goes out with thinking on: the client asked
/// for it, its model's style is known, a budget model has room for the smallest budget below
/// max_tokens, and the conversation's last assistant turn, when it called tools, carried its
/// signed thinking (Anthropic refuses a thinking request whose tool loop's turn has none).
bool thinking_on(const chat_request& req, int32_t max_tokens);

/// Adds `thinking` to `body` for `req`: {"type": "adaptive"}, {"type": "enabled",
/// "budget_tokens": n} (the client's budget, else its effort's: minimal 1024, low 2048, medium
/// 8192, high 16384, xhigh or max 32000, at most half of max_tokens, else half of it; kept within
/// [min_thinking_budget, max_tokens)) or, when the client turned it off for a model whose style
/// is known, {"type": "disabled"}. With thinking on, temperature and top_p are left out:
/// Anthropic refuses them with thinking.
void add_thinking(boost::json::object& body, const chat_request& req, int32_t max_tokens, bool on);

/// The block that sends `t` back: thinking with its signature, or redacted_thinking.
boost::json::object thought_block(const thought& t);

/// Keeps a thinking or redacted_thinking block `b` of an answer in `r`: its text in reasoning,
/// the block in thoughts when signed (or redacted with data); false when `b` is neither.
bool read_thought(const boost::json::object& b, chat_response& r);

/// invalid_input when an answer carries more than max_thoughts blocks.
result<void> check_thoughts(std::size_t count);

} // namespace et::wire::detail
