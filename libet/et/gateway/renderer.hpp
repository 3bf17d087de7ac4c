#pragma once
/// One answer rendered in the shapes of the API its client called: OpenAI Chat Completions,
/// Anthropic Messages or OpenAI Responses, whole or as a stream of events. The gateway holds one
/// per request and never asks which API it renders for.

#include <cstdint>
#include <string>
#include <variant>

#include "et/gateway/errors.hpp"
#include "et/gateway/response.hpp"
#include "et/gateway/responses.hpp"
#include "et/gateway/stream.hpp"

namespace et::gateway {

/// The API a client called.
enum class surface : uint8_t {
  chat_completions, ///< POST /v1/chat/completions
  messages,         ///< POST /v1/messages
  responses,        ///< POST /v1/responses
};

/// The wire protocol of `s`'s errors and models list: Responses clients are OpenAI clients.
protocol protocol_of(surface s);

/// The answer id a client of `s` sees for request number `n` ("chatcmpl-et7", "msg_et7",
/// "resp_et7").
std::string answer_id(surface s, uint64_t n);

/// One answer for one client.
class renderer {
public:
  /// For `meta` on `s`; `include_usage` is Chat Completions' stream_options.include_usage.
  renderer(surface s, answer_meta meta, bool include_usage);
  /// The whole answer.
  std::string whole(const chat_response& r) const;
  /// The stream's first events.
  std::string start();
  /// The events of one piece; "" when none of it is shown.
  std::string piece(const chunk& c);
  /// The stream's last events.
  std::string finish(const chat_response& r);
  /// The events that end a stream that failed after its first byte.
  std::string fail(const client_error& e);

private:
  answer_meta meta_;
  std::variant<openai_stream, anthropic_stream, responses_stream> stream_;
};

} // namespace et::gateway
