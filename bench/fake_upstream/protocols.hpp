#pragma once
/// The four provider wire formats as the fake upstream writes them. Each
/// provider has one encoder (openai.cpp, anthropic.cpp, ollama.cpp, gemini.cpp)
/// written from the providers' documentation and recorded exchanges, never
/// from libet's codecs, so that a disagreement between the two shows up in tests.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "options.hpp"

namespace et::fake {

/// A provider protocol.
enum class protocol : uint8_t { openai, anthropic, ollama, gemini };

/// "openai", "anthropic", "ollama" or "gemini".
std::string_view to_string(protocol p);

/// Response headers beyond Content-Type, in the order they are sent.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// One content event of a stream: its text and how many tokens it carries.
struct text_chunk {
  std::string text; ///< the delta
  int64_t tokens;   ///< tokens in the delta
};

/// Everything an encoder needs to write one successful answer.
struct reply_plan {
  std::string model;              ///< model id as requested
  std::string id;                 ///< response id, unique per server
  int64_t created = 0;            ///< unix seconds
  std::string text;               ///< the whole answer
  std::vector<text_chunk> chunks; ///< the answer split into stream events
  int64_t prompt_tokens = 0;      ///< words of the request's messages
  int64_t completion_tokens = 0;  ///< tokens of `text`
  bool length_limited = false;    ///< cut by the request's max tokens
  bool include_usage = false;     ///< OpenAI stream_options.include_usage
  std::string tool;               ///< a function the answer calls after its text ("" = none)
  std::string thinking;           ///< thought before the text, in one event ("" = none)
};

/// Inputs of an error body.
struct error_params {
  std::string model;               ///< model id as requested
  int64_t prompt_tokens = 0;       ///< for context-overflow messages
  int64_t retry_after_seconds = 1; ///< for 429s
  std::string request_id;          ///< provider-style request id
};

/// A complete error answer.
struct error_reply {
  unsigned status = 500;    ///< HTTP status
  std::string content_type; ///< Content-Type
  header_list headers;      ///< retry hints, request ids
  std::string body;         ///< the provider's error JSON
};

/// A model listing request.
struct model_query {
  const std::vector<std::string>* models = nullptr; ///< all models, in order
  int64_t page_size = 0;  ///< Gemini pageSize / Anthropic limit; 0 = provider default
  std::string page_token; ///< Gemini pageToken / Anthropic after_id
};

/// Writes one provider's bodies and stream events.
class encoder {
public:
  virtual ~encoder() = default;
  /// The non-streamed chat answer.
  virtual std::string body(const reply_plan& p) const = 0;
  /// Content-Type of a streamed answer.
  virtual std::string_view stream_content_type() const = 0;
  /// Events sent before the first content event (may be empty).
  virtual std::vector<std::string> stream_head(const reply_plan& p) const = 0;
  /// The content event for p.chunks[index].
  virtual std::string stream_delta(const reply_plan& p, size_t index) const = 0;
  /// Events after the last content event: finish reason, usage, terminator.
  virtual std::vector<std::string> stream_tail(const reply_plan& p) const = 0;
  /// A mid-stream error event in the provider's format.
  virtual std::string stream_error(const reply_plan& p) const = 0;
  /// A non-streamed body that is not valid JSON.
  virtual std::string malformed_body(const reply_plan& p) const = 0;
  /// A stream event whose JSON is invalid.
  virtual std::string malformed_event(const reply_plan& p) const = 0;
  /// A model listing body.
  virtual std::string models(const model_query& q) const = 0;
  /// The error answer for `f` (one of the status faults).
  virtual error_reply error(fault f, const error_params& e) const = 0;
};

/// The encoder of a protocol; a static instance, safe to share across threads.
const encoder& encoder_for(protocol p);

} // namespace et::fake
