#pragma once
/// The gateway's client side, outbound: a neutral chat_response rendered as an
/// OpenAI chat completion or an Anthropic message, and streams rendered as the
/// server-sent events of either protocol. Pure text in, text out.

#include <cstdint>
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
};

/// Fails (invalid_input) when `r` cannot be told in protocol `p`: for
/// Anthropic, tool call arguments that are not a JSON object (its tool_use
/// input is one; OpenAI's arguments are any text).
result<void> check_relayable(protocol p, const chat_response& r);

/// An OpenAI chat.completion object; tool calls as message.tool_calls.
std::string openai_response(const chat_response& r, const answer_meta& meta);

/// An Anthropic message object; tool calls as tool_use blocks after the text.
std::string anthropic_response(const chat_response& r, const answer_meta& meta);

/// The server-sent events of one OpenAI stream, in order: start(), text()
/// per piece, then finish() (which ends with "data: [DONE]") or fail() (an
/// error event and no [DONE], so no client mistakes a cut stream for a whole one).
class openai_stream {
public:
  /// A stream for `meta`; with `include_usage`, a last chunk carries the usage.
  openai_stream(answer_meta meta, bool include_usage);
  /// The first chunk: the assistant role.
  std::string start() const;
  /// A chunk with a piece of text ("" for an empty piece).
  std::string text(const std::string& piece) const;
  /// The tool calls (whole, in one chunk), the finish reason, the usage when
  /// asked for, and [DONE].
  std::string finish(const chat_response& r) const;
  /// An error event in OpenAI's error shape.
  std::string fail(const client_error& e) const;

private:
  std::string chunk_event(const std::string& delta_json, const char* finish) const;
  answer_meta meta_;
  bool include_usage_;
};

/// The server-sent events of one Anthropic stream: start() gives message_start,
/// content_block_start and ping; text() content_block_delta; finish()
/// content_block_stop, one tool_use block per tool call (its input in one
/// input_json_delta), message_delta (stop_reason, usage) and message_stop;
/// fail() an error event.
class anthropic_stream {
public:
  /// A stream for `meta`.
  explicit anthropic_stream(answer_meta meta);
  /// message_start, content_block_start (text, index 0) and a ping.
  std::string start() const;
  /// A content_block_delta with `piece` ("" when the piece is empty).
  std::string text(const std::string& piece) const;
  /// The end of the message with its stop reason and usage.
  std::string finish(const chat_response& r) const;
  /// An error event.
  std::string fail(const client_error& e) const;

private:
  answer_meta meta_;
};

/// A model the gateway offers.
struct offered_model {
  std::string id;   ///< what a client puts in `model`
  std::string kind; ///< "alias" or "role"
};

/// GET /v1/models in protocol `p`'s list shape.
std::string models_list(protocol p, const std::vector<offered_model>& models);

/// OpenAI's finish_reason for `r` ("tool_calls" whenever it called tools, "stop" when unknown).
std::string openai_finish(const chat_response& r);

/// Anthropic's stop_reason for `r` ("tool_use" whenever it called tools, "end_turn" when
/// unknown).
std::string anthropic_stop(const chat_response& r);

} // namespace et::gateway
