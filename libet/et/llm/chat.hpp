#pragma once
/// The value types every layer shares: messages, requests, responses, chunks,
/// usage and model descriptions. Plain structs, no I/O, no CAF.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/llm/thinking_style.hpp"

namespace et {

/// Who speaks a message.
enum class role : uint8_t { system, user, assistant, tool };

/// "system", "user", "assistant" or "tool".
std::string_view to_string(role r);

/// A function call requested by the model.
struct tool_call {
  std::string id;        ///< provider-assigned id, echoed back in the tool result
  std::string name;      ///< function name
  std::string arguments; ///< the arguments as a JSON object text
  bool operator==(const tool_call&) const = default;
};

/// A block of a model's thinking as its provider signed it, kept so that it can be sent back:
/// Anthropic refuses a tool-use turn of a thinking request without the turn's signed thinking.
struct thought {
  std::string text;      ///< the thinking ("" when redacted)
  std::string signature; ///< the provider's signature of it
  std::string redacted;  ///< a redacted block's opaque data (Anthropic redacted_thinking)
  bool operator==(const thought&) const = default;
};

/// An image or a PDF document in a user or tool turn, as the client sent it: its bytes in
/// base64 or a link the upstream fetches (et never fetches one itself). `at` places it in the
/// turn's text, so that protocols which interleave text and attachments keep the client's
/// order. A PDF goes where images go, and each protocol says it its own way (wire/).
struct image {
  std::string media_type; ///< image/png, image/jpeg, image/gif, image/webp ("" for an image
                          ///< link) or application/pdf
  std::string data;       ///< the bytes in base64 ("" for a link)
  std::string url;        ///< an http(s) link ("" for bytes)
  std::string detail;     ///< OpenAI's resolution hint: "", "auto", "low" or "high"
  std::size_t at = 0;     ///< byte offset in the turn's content where the image stands
  std::string name;       ///< a document's title or file name, as the client gave it ("")
  std::size_t pages = 0;  ///< a document's pages as estimated when it was read (0: not known)
  bool operator==(const image&) const = default;
};

/// The media type of a PDF document.
inline constexpr std::string_view pdf_media_type = "application/pdf";

/// True when `i` is a PDF document rather than an image.
inline bool is_document(const image& i) {
  return i.media_type == pdf_media_type;
}

/// One turn of a conversation.
struct message {
  role who = role::user;             ///< speaker
  std::string content;               ///< text (may be empty for pure tool calls)
  std::vector<tool_call> tool_calls; ///< assistant turns: calls the model made
  std::string tool_call_id;          ///< tool turns: which call this answers
  std::string name;                  ///< tool turns: the function's name
  std::vector<thought> thoughts;     ///< assistant turns: signed thinking, before the content
  std::vector<image> images;         ///< user and tool turns: images and PDFs, in order of `at`
  bool operator==(const message&) const = default;
};

/// Walks a turn's text and images in the client's order: `text(std::string_view)` for each
/// run of text between images (never empty), `picture(const image&)` for each image.
template <class Text, class Picture>
void for_each_part(const message& m, Text&& text, Picture&& picture) {
  std::size_t from = 0;
  for (const auto& i : m.images) {
    auto at = std::min(std::max(i.at, from), m.content.size());
    if (at > from)
      text(std::string_view{m.content}.substr(from, at - from));
    picture(i);
    from = at;
  }
  if (from < m.content.size())
    text(std::string_view{m.content}.substr(from));
}

/// A function the model may call.
struct tool_spec {
  std::string name;        ///< function name
  std::string description; ///< what it does
  std::string parameters;  ///< JSON schema of its arguments, as text
  bool operator==(const tool_spec&) const = default;
};

/// How the model may use the tools on offer: as it likes (the default), it must call one, or
/// one named, or it may call none; and whether it may make several calls in one turn. Each
/// protocol says it its own way (wire/): OpenAI `tool_choice` and `parallel_tool_calls`,
/// Anthropic `tool_choice` with `disable_parallel_tool_use`, Gemini
/// `toolConfig.functionCallingConfig`.
struct tool_policy {
  bool required = false;      ///< it must call a tool (OpenAI "required", Anthropic "any")
  std::string name;           ///< it must call this tool ("" = any; implies required)
  bool one_at_a_time = false; ///< at most one call a turn (OpenAI parallel_tool_calls false)
  /// It may call none ("none"): the tools stay in the request, so a conversation that used
  /// them still reads as it did (Anthropic refuses tool blocks without tools) and the
  /// prompt's cached prefix still matches.
  bool no_calls = false;
  bool operator==(const tool_policy&) const = default;
};

/// The shape an answer must take (OpenAI's response_format). Each protocol says it its own
/// way (wire/): OpenAI `response_format`, Ollama `format`, Gemini `responseMimeType` and
/// `responseJsonSchema`, Anthropic `output_config.format` (a schema only).
struct answer_format {
  /// What is asked for.
  enum class shape : uint8_t {
    text,        ///< no constraint (nothing is sent)
    json_object, ///< any JSON object
    json_schema, ///< JSON following `schema`
  };
  shape kind = shape::text; ///< what is asked for
  std::string name;         ///< json_schema: the schema's name
  std::string schema;       ///< json_schema: the JSON Schema as compact JSON text ("" = none)
  bool strict = false;      ///< json_schema: follow it exactly (OpenAI's `strict`)
  bool operator==(const answer_format&) const = default;
};

/// Whether and how a model thinks before it answers.
struct thinking_request {
  /// What the client asked for.
  enum class want : uint8_t {
    model_default, ///< nothing: the model does as it does
    off,           ///< no thinking
    on,            ///< thinking
  };
  want asked = want::model_default;               ///< what the client asked for
  std::optional<int32_t> budget_tokens;           ///< on: the client's cap on thinking tokens
  thinking_style takes = thinking_style::unknown; ///< from the alias, when the chain is resolved
  /// How hard to think, as the client said it: OpenAI's reasoning_effort (none, minimal, low,
  /// medium, high, xhigh) or Anthropic's output_config.effort (low, medium, high, max); "" when
  /// it said nothing. The gateway admits only these words.
  std::string effort;
  bool operator==(const thinking_request&) const = default;
};

/// Everything a provider needs to answer; never mutated between attempts.
struct chat_request {
  std::string model;                 ///< the provider's model id
  std::vector<message> messages;     ///< the conversation, system turns included
  std::vector<tool_spec> tools;      ///< functions on offer
  std::optional<int32_t> max_tokens; ///< completion limit
  std::optional<double> temperature; ///< sampling temperature
  std::optional<double> top_p;       ///< nucleus sampling
  std::vector<std::string> stop;     ///< stop sequences
  std::optional<int32_t> num_ctx;    ///< Ollama: context window to allocate
  std::string keep_alive;            ///< Ollama: how long to keep the model loaded
  answer_format format;              ///< the shape the answer must take
  thinking_request thinking;         ///< whether the model should think first
  tool_policy tool_use;              ///< how the model may use `tools`
  bool operator==(const chat_request&) const = default;
};

/// Token counts of one exchange.
struct usage {
  int64_t prompt_tokens = 0;      ///< input tokens billed
  int64_t completion_tokens = 0;  ///< output tokens billed (reasoning included)
  int64_t cache_read_tokens = 0;  ///< input tokens served from the prompt cache
  int64_t cache_write_tokens = 0; ///< input tokens written to the prompt cache
  int64_t reasoning_tokens = 0;   ///< of completion_tokens, spent thinking
  /// Adds another exchange's counts.
  usage& operator+=(const usage& other);
  bool operator==(const usage&) const = default;
};

/// Why the model stopped.
enum class finish_reason : uint8_t {
  unknown,        ///< not reported
  stop,           ///< natural end or a stop sequence
  length,         ///< hit max_tokens
  tool_calls,     ///< wants tool results
  content_filter, ///< cut by the provider's filter
};

/// "stop", "length", ...
std::string_view to_string(finish_reason r);

/// A complete answer.
struct chat_response {
  std::string id;                                ///< provider's response id, if any
  std::string model;                             ///< the model that answered
  std::string content;                           ///< the text
  std::string reasoning;                         ///< thinking text, when the provider returns it
  std::vector<thought> thoughts;                 ///< the thinking as signed blocks (Anthropic)
  std::vector<tool_call> tool_calls;             ///< calls the model made
  usage tokens;                                  ///< token counts
  finish_reason finish = finish_reason::unknown; ///< why it stopped
  /// The stop sequence that ended it (finish stop), when the provider says which (Anthropic;
  /// OpenAI, Gemini and Ollama say only "stop"); nodes do not carry it.
  std::string stop_sequence;
  /// Cost in USD when it was priced where it was served (a remote node, whose
  /// prices the caller may not know); unset for local answers.
  std::optional<double> usd;
  bool operator==(const chat_response&) const = default;
};

/// A piece of a streamed answer, delivered as soon as it arrives. Its parts come in this order:
/// thinking, the signature that ends the thinking so far, text; a redacted block comes alone.
struct chunk {
  std::string text;      ///< answer text delta
  std::string reasoning; ///< thinking text delta
  std::string signature; ///< the provider's signature of the thinking block that ends here
  std::string redacted;  ///< a redacted thinking block's data (alone in its piece)
  bool operator==(const chunk&) const = default;
};

/// Joins neighbouring pieces into as few as keep the order of thinking, signatures, redacted
/// blocks and text (see chunk). For pieces that arrived together (one read of a stream):
/// each piece costs a message per hop and a write to the client, and splitting what came at
/// once delays nothing.
void coalesce(std::vector<chunk>& pieces);

/// A model a provider offers.
struct model_info {
  std::string id;                        ///< the id to put in a request
  std::string display_name;              ///< human name, if the provider has one
  std::optional<int64_t> context_window; ///< input token limit, if known
  bool operator==(const model_info&) const = default;
};

/// The most models a listing keeps: an upstream's or a node's list is shown and searched, and
/// a page of millions would be kept whole otherwise.
inline constexpr std::size_t max_listed_models = 10'000;

/// The longest model id or name a listing keeps (a longer one is left out).
inline constexpr std::size_t max_model_id_bytes = 256;

/// Whether a listed model is kept: an id and a name of at most max_model_id_bytes.
inline bool listable(const model_info& m) {
  return m.id.size() <= max_model_id_bytes && m.display_name.size() <= max_model_id_bytes;
}

} // namespace et
