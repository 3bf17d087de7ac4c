#pragma once
/// The gateway's client side, outbound: a neutral chat_response rendered as an
/// OpenAI chat completion or an Anthropic message (streams: stream.hpp), and the
/// model list. Pure text in, text out.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "et/gateway/errors.hpp"
#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::gateway {

/// What every rendering of one answer shares.
struct answer_meta {
  std::string id;      ///< the response id the client sees ("chatcmpl-..." / "msg_...")
  std::string model;   ///< the model name the client asked for
  int64_t created = 0; ///< Unix seconds (OpenAI's `created`)
  /// Relay the model's thinking (client_request::show_thinking): OpenAI's reasoning_content
  /// and thinking_blocks, Anthropic's thinking blocks, the summary of a Responses reasoning item.
  bool show_thinking = false;
  /// Responses: the tools whose calls are custom_tool_call items (client_request::freeform_tools).
  std::vector<std::string> freeform_tools;
  /// Responses: signed thinking sealed into reasoning items (client_request::carry_thoughts).
  bool carry_thoughts = false;
  /// Responses: the request's settings the response object repeats (client_request::echo),
  /// shared by the copies a stream's renderer keeps (null: none).
  std::shared_ptr<const std::string> echo;
};

/// Fails (invalid_input) when `r` cannot be told in protocol `p`: for
/// Anthropic, tool call arguments that are not a JSON object (its tool_use
/// input is one; OpenAI's arguments are any text).
result<void> check_relayable(protocol p, const chat_response& r);

/// An OpenAI chat.completion object; tool calls as message.tool_calls, thinking (when shown)
/// as message.reasoning_content, and a Claude model's signed blocks as message.thinking_blocks
/// (LiteLLM's field, which its clients send back in their tool loops).
std::string openai_response(const chat_response& r, const answer_meta& meta);

/// An Anthropic message object: thinking (when shown) as a thinking block before the text,
/// tool calls as tool_use blocks after it.
std::string anthropic_response(const chat_response& r, const answer_meta& meta);

/// Anthropic's count_tokens answer: {"input_tokens": n}.
std::string anthropic_count(int64_t input_tokens);

/// A model the gateway offers.
struct offered_model {
  std::string id;   ///< what a client puts in `model`
  std::string kind; ///< "alias" or "role"
};

/// GET /v1/models in protocol `p`'s list shape.
std::string models_list(protocol p, const std::vector<offered_model>& models);

/// Holds an answer to the client's tool policy where its upstream could not be told it or did
/// not keep it: asked for one call a turn (Gemini and Ollama have no such setting), only the
/// first of several calls goes back; asked for none (a server that ignores "none"), no call
/// goes back and a stop for tool calls becomes a plain stop. Returns how many calls it dropped.
std::size_t hold_to_policy(chat_response& r, const tool_policy& policy);

/// OpenAI's finish_reason for `r` ("tool_calls" whenever it called tools, "stop" when unknown).
std::string openai_finish(const chat_response& r);

/// Anthropic's stop_reason for `r` ("tool_use" whenever it called tools, "end_turn" when
/// unknown).
std::string anthropic_stop(const chat_response& r);

/// The stop sequence Anthropic's `stop_sequence` names for `r` ("" for null: it did not end
/// on one, or its upstream did not say which).
std::string anthropic_stop_sequence(const chat_response& r);

} // namespace et::gateway
