#pragma once
/// The gateway's streamed answers: the pieces of a neutral answer rendered as
/// the server-sent events of an OpenAI or an Anthropic stream. Pure text in,
/// text out; one object per stream, fed in order.

#include <cstdint>
#include <string>

#include "et/gateway/detail/reasoning.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/response.hpp"
#include "et/llm/chat.hpp"

namespace et::gateway {

/// The server-sent events of one OpenAI stream, in order: start(), piece() per
/// piece, then finish() (which ends with "data: [DONE]") or fail() (an error
/// event and no [DONE], so no client mistakes a cut stream for a whole one).
class openai_stream {
public:
  /// A stream for `meta`; with `include_usage`, a last chunk carries the usage.
  openai_stream(answer_meta meta, bool include_usage);
  /// The first chunk: the assistant role.
  std::string start() const;
  /// The chunks of one piece: its thinking as reasoning_content (when shown, as
  /// reasoning servers send it), then its text; "" when none of it is shown. Signed thinking
  /// blocks are kept for finish().
  std::string piece(const chunk& c);
  /// The signed thinking blocks as thinking_blocks, in one chunk (LiteLLM's way, for the
  /// client's tool loop), the tool calls (whole, in one chunk), the finish reason, the usage
  /// when asked for, and [DONE].
  std::string finish(const chat_response& r);
  /// An error event in OpenAI's error shape.
  std::string fail(const client_error& e) const;

private:
  std::string chunk_event(const std::string& delta_json, const char* finish) const;
  std::string blocks_ended(); ///< the thinking_blocks chunk of every signed block
  answer_meta meta_;
  bool include_usage_;
  detail::thought_collector thoughts_; ///< signed blocks not yet sent
};

/// The server-sent events of one Anthropic stream: start() gives message_start;
/// piece() opens a thinking or a text block as the piece needs (closing the one
/// before; a ping follows the first) and adds its deltas (a thinking block's
/// signature as a signature_delta), or a redacted_thinking block; finish() closes the
/// open block (an answer with no text and no tool calls gets an empty text
/// block), adds one tool_use block per call (its input in one
/// input_json_delta), message_delta (stop_reason, usage) and message_stop;
/// fail() an error event.
class anthropic_stream {
public:
  /// A stream for `meta`.
  explicit anthropic_stream(answer_meta meta);
  /// message_start.
  std::string start() const;
  /// The events of one piece; "" when none of it is shown.
  std::string piece(const chunk& c);
  /// The end of the message with its stop reason and usage.
  std::string finish(const chat_response& r);
  /// An error event.
  std::string fail(const client_error& e) const;

private:
  enum class block : uint8_t { none, thinking, redacted, text };
  std::string switch_to(block b, const std::string& data = {});
  std::string close();
  std::string text_piece(const std::string& text);
  answer_meta meta_;
  block open_ = block::none; ///< the block deltas go to
  int64_t next_index_ = 0;   ///< the index of the next block opened
  bool had_text_ = false;    ///< a text block was opened
  std::string signature_;    ///< the open thinking block's signature, sent as it closes
};

} // namespace et::gateway
