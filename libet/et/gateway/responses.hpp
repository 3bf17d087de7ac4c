#pragma once
/// The gateway's answers to OpenAI Responses API clients (POST /v1/responses): the whole
/// response object, and the typed server-sent events of a streamed one. Pure text in, text out.
/// Text becomes one message item, each tool call a function_call item after it. The model's
/// thinking becomes a reasoning item before them: its summary when the client asked for one
/// (reasoning.summary), its signed thoughts sealed into encrypted_content when the client asked
/// for those (include), so that a tool loop goes on thinking (detail/reasoning.hpp).

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "et/gateway/detail/reasoning.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/response.hpp"
#include "et/llm/chat.hpp"

namespace et::gateway {

/// A response object ("object": "response") with status completed, or incomplete when the
/// answer ran out of tokens.
std::string responses_response(const chat_response& r, const answer_meta& meta);

/// The events of one streamed response, in order: start() (response.created and
/// response.in_progress), piece() per piece (thinking streams into a reasoning item, which
/// closes when the text begins; the message item and its text part are opened before the first
/// text delta), then finish() (the text closed, thinking that came after the text as a second
/// reasoning item, each tool call added whole, response.completed) or fail() (response.failed,
/// then an error event, so neither a client that waits for completed nor the official SDK takes
/// a cut stream for a whole one). Every event carries its sequence_number.
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
  /// An event numbered `n` (start()'s two, whose numbers are kept for them).
  std::string numbered(const char* type, boost::json::object data, int64_t n);
  std::string open_reasoning();                       ///< the reasoning item added, once
  std::string summary_delta(const std::string& text); ///< its summary part added first
  std::string close_reasoning();                      ///< done, with the thoughts taken now
  std::string close_reasoning(const std::vector<thought>& thoughts); ///< done, with `thoughts`
  std::string late_reasoning(); ///< thinking after the text began, as an item of its own
  std::string open_text();      ///< the message item and its text part, once
  answer_meta meta_;
  int64_t sequence_ = 2;               ///< 0 and 1 are start()'s, whenever it is asked for
  int64_t next_index_ = 0;             ///< the output_index of the next item
  boost::json::array output_;          ///< the items done, in order
  bool reasoning_open_ = false;        ///< a reasoning item was added and is not done
  int64_t reasoning_at_ = 0;           ///< its output_index
  std::string reasoning_id_;           ///< its id
  int reasoning_items_ = 0;            ///< how many were added
  std::string summary_;                ///< its summary text so far
  std::string late_;                   ///< thinking text that came after the text began
  detail::thought_collector thoughts_; ///< signed thoughts not yet in an item
  bool text_open_ = false;             ///< the message item and its text part were added
  int64_t text_at_ = 0;                ///< the message item's output_index
  std::string text_;                   ///< the text so far
};

} // namespace et::gateway
