#pragma once
/// The pieces every rendering of an answer shares (response.cpp, stream.cpp): usage objects,
/// tool calls in both protocols and server-sent event framing. Included by .cpp files only.

#include <boost/json.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "et/gateway/response.hpp"

namespace et::gateway::detail {

namespace json = boost::json;

/// OpenAI's usage object (with cached and reasoning token details when there are any).
json::object openai_usage(const usage& u);

/// Anthropic's usage object: cached input counted apart from input_tokens.
json::object anthropic_usage(const usage& u);

/// `text` as a JSON string, or null when it is empty.
json::value nullable(const std::string& text);

/// The call's id, or one made up from the answer's when the upstream gave none (Ollama and
/// Gemini do not number their calls): `prefix` + answer id + "_" + `i`.
std::string call_id(const tool_call& c, const answer_meta& meta, std::size_t i, const char* prefix);

/// OpenAI's tool_calls array; `indexed` adds each call's index, as stream deltas carry it.
json::array openai_calls(const chat_response& r, const answer_meta& meta, bool indexed);

/// A call's arguments as a JSON object (check_relayable made sure they are one; {} if not).
json::value input_of(const tool_call& c);

/// A signed thought as Anthropic writes the block: {"type":"thinking","thinking","signature"}
/// or {"type":"redacted_thinking","data"}.
json::object thinking_block(const thought& t);

/// `thoughts` as thinking_block()s: what LiteLLM's clients read as an OpenAI message's
/// `thinking_blocks` and send back in their tool loops.
json::array thinking_block_array(const std::vector<thought>& thoughts);

/// One unnamed server-sent event: "data: JSON\n\n".
std::string sse(const json::value& v);

/// One named server-sent event: "event: NAME\ndata: JSON\n\n".
std::string named_sse(const char* event, const json::value& v);

} // namespace et::gateway::detail
