#pragma once
/// The codec interface: one implementation per provider protocol. A codec is
/// pure: it builds HTTP requests and decodes bodies and failed exchanges, but
/// never touches the network, so every codec is tested against recorded bytes.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "et/config/settings.hpp"
#include "et/llm/chat.hpp"
#include "et/llm/embed.hpp"
#include "et/util/result.hpp"
#include "et/util/url.hpp"

namespace et::wire {

/// Header list in the order it is sent; names as the provider documents them.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// An HTTP request as a codec builds it.
struct http_request {
  std::string method = "POST"; ///< "GET" or "POST"
  std::string target;          ///< path and query, base URL path included ("/v1/chat/completions")
  header_list headers;         ///< auth, content type, protocol headers
  std::string body;            ///< JSON text ("" for GET)
};

/// A finished (or failed) HTTP exchange, as the codec needs it to classify errors.
struct http_reply {
  int status = 0;      ///< HTTP status code
  header_list headers; ///< response headers
  std::string body;    ///< response body (possibly truncated)
};

/// One page of a model listing.
struct model_page {
  std::vector<model_info> models; ///< models on this page
  std::string next_page;          ///< token/cursor of the next page, "" when last
};

/// Incremental decoder of a streamed answer, fed byte chunks of any size.
class stream_decoder {
public:
  virtual ~stream_decoder() = default;
  /// Feeds the next bytes; text deltas are appended to `out` in order. A
  /// mid-stream error event returns its typed failure.
  virtual result<void> feed(std::string_view bytes, std::vector<chunk>& out) = 0;
  /// Ends the stream: the assembled response (text, tool calls, usage, finish
  /// reason), or stream_interrupted when the terminal event never came. Text
  /// of a last event that lacked its delimiter is appended to `out` first, so
  /// what was streamed always adds up to the answer.
  virtual result<chat_response> finish(std::vector<chunk>& out) = 0;
  /// True once the protocol's terminal event came: the answer is whole, and bytes after it
  /// are not the answer's (feed ignores them).
  virtual bool ended() const = 0;
};

/// A provider protocol.
class codec {
public:
  virtual ~codec() = default;
  /// The chat request; `stream` selects the streaming variant.
  virtual result<http_request> chat(const chat_request& req, bool stream) const = 0;
  /// Decodes a non-streamed 2xx chat body.
  virtual result<chat_response> decode_chat(std::string_view body) const = 0;
  /// A fresh decoder for one streamed 2xx body.
  virtual std::unique_ptr<stream_decoder> make_stream_decoder() const = 0;
  /// The model listing request for `page` ("" = first page).
  virtual http_request list_models(std::string_view page) const = 0;
  /// Decodes a 2xx model listing body.
  virtual result<model_page> decode_models(std::string_view body) const = 0;
  /// Classifies a non-2xx exchange into a typed failure keeping the provider's message.
  virtual failure classify(const http_reply& reply) const = 0;
  /// The embedding request for `req`; errc::unsupported for a protocol without one.
  virtual result<http_request> embed(const embed_request& req) const;
  /// Decodes a 2xx embedding body answering `req`: one finite vector per input, all of one
  /// dimension in [1, max_embed_dimension], plausible token counts; invalid_input otherwise.
  virtual result<embed_response> decode_embed(std::string_view body,
                                              const embed_request& req) const;
  /// The request that counts the input tokens `req` would take (its messages, system prompt,
  /// tools, thinking and answer format; no answer is made); errc::unsupported for a protocol
  /// without a counting endpoint.
  virtual result<http_request> count_tokens(const chat_request& req) const;
  /// Decodes a 2xx token-count body: the input tokens, a whole number in
  /// [0, et::max_token_count]; invalid_input otherwise.
  virtual result<int64_t> decode_count(std::string_view body) const;
};

/// The limits every decoder holds an answer to (tool calls, their arguments, thinking
/// blocks), for an answer that arrives decoded already: a remote node's. invalid_input past
/// them.
result<void> check_answer(const chat_response& r);

/// The codec for a provider's type (openai, anthropic, ollama, gemini); null for mock.
std::unique_ptr<codec> make_codec(const config::provider& p);

} // namespace et::wire
