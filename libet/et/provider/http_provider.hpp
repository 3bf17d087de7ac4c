#pragma once
/// A provider endpoint reached over HTTP: the codec of its protocol on top of
/// the shared asynchronous client. It turns one chat request into one HTTP
/// exchange and the exchange back into a response, a stream of chunks, or a
/// typed failure. Callbacks run on the client's I/O threads; the provider
/// actor forwards them to itself as messages.
///
/// This is the boundary where upstream bytes become et's failures: every
/// failure message leaving it (classified error bodies, transport errors,
/// interrupted streams, listings) has each configured secret scrubbed in every
/// form it is sent in (config::secret_forms).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "et/config/settings.hpp"
#include "et/http/client.hpp"
#include "et/llm/chat.hpp"
#include "et/llm/embed.hpp"
#include "et/util/result.hpp"
#include "et/wire/codec.hpp"

namespace et::provider {

/// Called once with the whole answer or its failure.
using completion_handler = std::function<void(result<chat_response>)>;

/// Called with each chunk of a streamed answer, in order.
using chunk_handler = std::function<void(chunk)>;

/// Called once with the vectors or their failure.
using embed_handler = std::function<void(result<embed_response>)>;

/// Called once with the model listing or its failure.
using models_handler = std::function<void(result<std::vector<model_info>>)>;

/// One configured HTTP provider (openai, anthropic, ollama or gemini).
class http_provider {
public:
  /// A provider using `client`, which must outlive it. Fails for the mock
  /// type and for an unparsable base URL.
  static result<std::unique_ptr<http_provider>> make(http::client& client,
                                                     const config::provider& settings);

  /// Sends `req` without streaming; `done` gets the decoded answer or a failure
  /// classified from the provider's error reply or the transport.
  http::exchange complete(const chat_request& req, completion_handler done);

  /// Streams `req`: `on_chunk` for each delta, then `done` with the assembled
  /// answer. A failure after the first chunk is stream_interrupted unless the
  /// provider sent a typed error event (then that class, with the message).
  http::exchange stream(const chat_request& req, chunk_handler on_chunk, completion_handler done);

  /// Embeds `req.inputs` in one call; `done` gets the checked vectors (see
  /// wire::codec::decode_embed) or a failure classified like a chat's.
  http::exchange embed(const embed_request& req, embed_handler done);

  /// Counts the input tokens `req` would take, without making an answer (Anthropic and Gemini;
  /// errc::unsupported elsewhere). `done` gets an answer with no text whose
  /// tokens.prompt_tokens is the count, or a failure classified like a chat's.
  http::exchange count_tokens(const chat_request& req, completion_handler done);

  /// Lists the provider's models, following pagination (at most 50 pages).
  /// Destroying the provider stops the listing: `done` then gets cancelled
  /// (or the page that raced it) and no further page is requested.
  void list_models(models_handler done);

  /// Stops every listing still running (see list_models).
  ~http_provider();
  http_provider(const http_provider&) = delete;
  http_provider& operator=(const http_provider&) = delete;

  /// The settings this provider was made from.
  const config::provider& settings() const { return settings_; }

  /// The paginated listing in progress (defined in the source file).
  struct listing;

private:
  http_provider(http::client& client, config::provider settings, url base,
                std::unique_ptr<wire::codec> codec);

  http::client& client_;
  config::provider settings_;
  url base_;
  std::shared_ptr<const wire::codec> codec_;
  std::shared_ptr<const std::vector<std::string>> secrets_; // every form, to scrub
  std::vector<std::weak_ptr<listing>> listings_;            // to stop on destruction
};

} // namespace et::provider
