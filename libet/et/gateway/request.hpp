#pragma once
/// The gateway's client side, inbound: an OpenAI /v1/chat/completions or an
/// Anthropic /v1/messages request body decoded into the neutral chat_request.
/// Every input is bounded and every field is known: a field the gateway does
/// not understand, or cannot honour, is refused (invalid_input or unsupported,
/// naming the field) instead of being silently dropped. Tools (functions),
/// tool calls and tool results are decoded both ways; tool_choice may be auto
/// or none.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::gateway {

/// The wire protocol a client speaks.
enum class protocol : uint8_t { openai, anthropic };

/// Bounds on one client request; past any of them the request is refused.
struct limits {
  std::size_t max_body_bytes = 32u << 20;  ///< the whole JSON body (Anthropic's own bound)
  std::size_t max_messages = 2048;         ///< entries of `messages`
  std::size_t max_parts = 256;             ///< content parts (blocks) of one message
  std::size_t max_string_bytes = 4u << 20; ///< one text (a message, a system prompt)
  std::size_t max_model_bytes = 256;       ///< the `model` name
  std::size_t max_stop = 16;               ///< stop sequences
  std::size_t max_stop_bytes = 256;        ///< one stop sequence
  int32_t max_tokens = 1'000'000;          ///< the largest completion limit accepted
  std::size_t max_images = 100;            ///< images in one conversation
  std::size_t max_image_bytes = 20u << 20; ///< one image's base64 text
  std::size_t max_link_bytes = 8192;       ///< one image link
};

/// A decoded client request.
struct client_request {
  std::string model;          ///< what the client named: alias, role or provider/model
  chat_request request;       ///< the conversation in et's terms (its model is filled later)
  bool stream = false;        ///< the client wants server-sent events
  bool include_usage = false; ///< OpenAI stream_options.include_usage
  /// Relay the model's thinking: OpenAI clients always get it (as reasoning_content, the field
  /// reasoning servers use, which other clients ignore, and signed blocks as LiteLLM's
  /// thinking_blocks); Anthropic clients when they turn
  /// thinking on, as Anthropic shows it (with its text even when they ask to omit it: the text
  /// is what its signature signs); Responses clients when they ask for a reasoning summary.
  bool show_thinking = false;
  /// Responses: the model's signed thinking goes back in reasoning items' encrypted_content
  /// (include: reasoning.encrypted_content), for the client to send back next turn.
  bool carry_thoughts = false;
  /// Responses: the custom (free-form) tools among `request.tools`, whose calls go back to the
  /// client as custom_tool_call items with their one `input`.
  std::vector<std::string> freeform_tools;
  /// Responses: the request's settings its response object repeats (instructions, tools,
  /// tool_choice, sampling, text, reasoning, ...), as a serialized JSON object; "" for others.
  std::string echo;
};

/// Decodes an OpenAI chat completions body. Failures are invalid_input (a
/// malformed or unknown field) or unsupported (images, n > 1, a forced tool...), their
/// message naming the field.
result<client_request> parse_openai_request(std::string_view body, const limits& bounds = {});

/// Decodes an Anthropic messages body, with the same failures.
result<client_request> parse_anthropic_request(std::string_view body, const limits& bounds = {});

/// Decodes an Anthropic messages/count_tokens body: a messages body without the answer's
/// settings (max_tokens, stream, sampling, stop sequences, metadata), which it refuses as
/// Anthropic does; the same failures otherwise.
result<client_request> parse_anthropic_count_request(std::string_view body,
                                                     const limits& bounds = {});

/// Decodes an OpenAI Responses API body (POST /v1/responses, what Codex sends): `input` as a
/// string or as message, function_call, function_call_output and reasoning items (the thinking
/// et sealed into a reasoning item goes back with the assistant turn after it; other reasoning
/// is dropped), `instructions` as the system prompt, flat function tools, `text.format`,
/// `reasoning.effort` and `.summary`, `include`; `previous_response_id` is unsupported (nothing
/// is stored). The same failures as the other decoders.
result<client_request> parse_responses_request(std::string_view body, const limits& bounds = {});

/// The field a parse failure names ("messages[2].content"), "" when it names none: the
/// text between the first pair of backquotes of its message.
std::string failed_field(const failure& f);

} // namespace et::gateway
