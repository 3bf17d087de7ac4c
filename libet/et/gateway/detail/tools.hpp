#pragma once
/// Tools in the three client APIs: function definitions, the calls an
/// assistant turn made and the results a client sends back, decoded into
/// et's tool_spec, tool_call and tool turns. Included by .cpp files only.

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "et/gateway/request.hpp"
#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::gateway::detail {

/// The most tools one request may offer.
inline constexpr std::size_t max_tools = 256;
/// The longest tool (or call id) name.
inline constexpr std::size_t max_name = 256;

/// The string member `key` of `o` (named `field`.`key`), at most `max` bytes; "" when absent or
/// null.
result<std::string> optional_string(const boost::json::object& o, const char* key,
                                    const std::string& field, std::size_t max);

/// `v` (named `field`) as an array of at most `max` entries; null with `why` set otherwise.
const boost::json::array* bounded_array(const boost::json::value& v, const std::string& field,
                                        std::size_t max, failure& why);

/// A function's definition (named `ff`): name, description, its schema under `schema_key`, and
/// the members listed in `also`, which its caller reads (or accepts without effect); any other
/// member is an unknown field.
result<tool_spec> function_spec(const boost::json::object& fo, const std::string& ff,
                                const char* schema_key,
                                std::initializer_list<std::string_view> also, const limits& bounds);

/// Adds `spec` (named `ff`) to `tools`, or the error naming `ff`.name when an earlier tool has
/// its name: upstreams refuse a repeated name without saying which, and calls are told apart by it.
result<void> add_tool(std::vector<tool_spec>& tools, tool_spec spec, const std::string& ff);

/// OpenAI `tools`: [{"type":"function","function":{name, description, parameters, strict}}].
result<std::vector<tool_spec>> openai_tools(const boost::json::value& v, const limits& bounds);

/// Responses API tools in et's terms.
struct responses_toolset {
  std::vector<tool_spec> tools;      ///< what the model is offered
  std::vector<std::string> freeform; ///< the custom tools among them (calls go back as such)
};

/// Responses API `tools`: function tools [{"type":"function", name, description, parameters,
/// strict}] (flat), and custom (free-form) tools, offered as functions of one string `input`
/// (a grammar, if any, told in the description). Codex's namespace, web_search and tool_search
/// tools are accepted and not offered; other built-in tools are unsupported, naming their type.
result<responses_toolset> responses_tools(const boost::json::value& v, const limits& bounds);

/// OpenAI assistant `tool_calls` (named `field`): [{id, type, function:{name, arguments}}].
result<std::vector<tool_call>> openai_tool_calls(const boost::json::value& v,
                                                 const std::string& field, const limits& bounds);

/// An OpenAI assistant turn's `thinking_blocks` (named `field`), LiteLLM's way of carrying
/// Anthropic's thinking in Chat Completions: [{"type":"thinking","thinking","signature"} or
/// {"type":"redacted_thinking","data"}], at most max_sealed_thoughts (reasoning.hpp), each text
/// bounded; the signed and redacted ones, for
/// the Claude model's tool loop (unsigned ones have nothing to check them by and are dropped).
result<std::vector<thought>> thinking_blocks(const boost::json::value& v, const std::string& field,
                                             const limits& bounds);

/// Anthropic `tools`: [{name, description, input_schema}] (server tools are unsupported).
result<std::vector<tool_spec>> anthropic_tools(const boost::json::value& v, const limits& bounds);

/// Anthropic message content (named `field`) as et turns: text and tool_use
/// blocks make one turn of `who`; each tool_result block of a user turn
/// becomes a tool turn, before the turn with the user's text (if any).
result<std::vector<message>> anthropic_content(const boost::json::value& v, role who,
                                               const std::string& field, const limits& bounds);

/// Names each tool turn after the call it answers (some upstreams need the
/// function's name with the result, and neither client protocol sends it).
void name_tool_results(std::vector<message>& messages);

} // namespace et::gateway::detail
