#pragma once
/// The gateway's answers to OpenAI Responses API clients (POST /v1/responses): the whole
/// response object, and the typed server-sent events of a streamed one. Pure text in, text out.
/// Text becomes one message item, each tool call a function_call item after it; the model's
/// reasoning is not relayed (no reasoning items yet).

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "et/gateway/errors.hpp"
#include "et/gateway/response.hpp"
#include "et/llm/chat.hpp"

namespace et::gateway {

/// A response object ("object": "response") with status completed, or incomplete when the
/// answer ran out of tokens.
std::string responses_response(const chat_response& r, const answer_meta& meta);

/// The events of one streamed response, in order: start() (response.created and
/// response.in_progress), piece() per piece (the message item and its text part are opened
/// before the first text delta), then finish() (the text closed, each tool call added whole,
/// response.completed) or fail() (response.failed, then an error event, so neither a client
/// that waits for completed nor the official SDK takes a cut stream for a whole one). Every
/// event carries its sequence_number.
class responses_stream {
public:
  /// A stream for `meta`.
  explicit responses_stream(answer_meta meta);
  /// response.created and response.in_progress (numbered first, whenever they are asked for).
  std::string start();
  /// The events of one piece; "" when it carries no text.
  std::string piece(const chunk& c);
  /// The end: the text item closed, the tool calls, response.completed with usage.
  std::string finish(const chat_response& r);
  /// response.failed and an error event.
  std::string fail(const client_error& e);

private:
  std::string event(const char* type, boost::json::object data);
  std::string open_text(); ///< the message item and its text part, once
  answer_meta meta_;
  int64_t sequence_ = 0;
  std::string start_;      ///< the first two events, numbered 0 and 1
  bool text_open_ = false; ///< the message item and its text part were added
  std::string text_;       ///< the text so far
};

} // namespace et::gateway
