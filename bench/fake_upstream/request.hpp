#pragma once
/// Reading a request: which endpoint it addresses, what the chat body asks
/// for, the `x-fake-*` overrides, and the reply plan built from all three.

#include <boost/beast/http/fields.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "protocols.hpp"

namespace et::fake {

/// The endpoints the server answers, one counter each.
enum class endpoint : uint8_t {
  openai_chat,        ///< POST /v1/chat/completions, /chat/completions
  openai_models,      ///< GET /v1/models, /models without anthropic-version
  anthropic_messages, ///< POST /v1/messages
  anthropic_models,   ///< GET /v1/models with anthropic-version
  ollama_chat,        ///< POST /api/chat
  ollama_tags,        ///< GET /api/tags
  gemini_generate,    ///< POST /v1beta/models/{model}:generateContent
  gemini_stream,      ///< POST /v1beta/models/{model}:streamGenerateContent
  gemini_models,      ///< GET /v1beta/models
  openai_embed,       ///< POST /v1/embeddings, /embeddings
  ollama_embed,       ///< POST /api/embed
  gemini_embed,       ///< POST /v1beta/models/{model}:batchEmbedContents
  anthropic_count,    ///< POST /v1/messages/count_tokens
  gemini_count,       ///< POST /v1beta/models/{model}:countTokens
  fake_release,       ///< POST /fake/release: every held stream goes on
  fake_report,        ///< GET /fake/report: counters and billed usage as JSON
  unknown,            ///< anything else: 404
};

/// Number of endpoint values, unknown included.
inline constexpr size_t endpoint_count = 17;

/// "openai.chat", "gemini.models", ...: the key of stats::requests_by_path.
std::string_view to_string(endpoint e);

/// Where a request goes.
struct route {
  endpoint where = endpoint::unknown; ///< the endpoint
  protocol proto = protocol::openai;  ///< its protocol
  std::string model;                  ///< Gemini: the model named in the path
  bool sse = false;                   ///< Gemini: alt=sse was given
  int64_t page_size = 0;              ///< pageSize / limit query parameter
  std::string page_token;             ///< pageToken / after_id query parameter
  bool with_texts = true;             ///< /fake/report: list answer texts (texts=0: no)
};

/// Routes by method and target; `anthropic_version` tells the two /v1/models apart.
route route_request(std::string_view method, std::string_view target, bool anthropic_version);

/// True for the endpoints that answer an embedding request.
bool is_embed(endpoint e);

/// True for the endpoints that count a prompt's tokens.
bool is_count(endpoint e);

/// True for the endpoints that answer a chat request.
bool is_chat(endpoint e);

/// What a chat body asks for.
struct chat_input {
  std::string model;                 ///< model id (Gemini: from the path)
  bool stream = false;               ///< a streamed answer was asked for
  bool include_usage = false;        ///< OpenAI stream_options.include_usage
  std::string last_user;             ///< text of the last user message
  int64_t prompt_tokens = 0;         ///< words in all messages and the system prompt
  std::optional<int64_t> max_tokens; ///< the request's output limit
  bool json = false;                 ///< JSON asked for, in the protocol's documented way
  bool thinking = false;             ///< Anthropic: the request turns thinking on
  std::string refusal;               ///< Anthropic: the 400 for a broken thinking rule
};

/// Parses a chat body of r's protocol; nullopt when it is not a JSON object.
std::optional<chat_input> parse_chat(const route& r, std::string_view body);

/// `base` with the request's x-fake-mode/-text/-tokens/-latency-ms/-tps/
/// -chunk-tokens/-cut-after/-retry-after/-hold headers applied.
reply_settings with_overrides(const reply_settings& base, const boost::beast::http::fields& h);

/// Splits text into tokens: each word with the whitespace before it, so the
/// tokens concatenate back to the text.
std::vector<std::string> split_tokens(std::string_view text);

/// The answer to `in` under `s`: text, stream chunks and usage.
reply_plan make_plan(const chat_input& in, const reply_settings& s, std::string id,
                     int64_t created);

} // namespace et::fake
