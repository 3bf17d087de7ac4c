#pragma once
/// Helpers shared by the codec sources, not part of the public interface:
/// JSON access, request assembly and the bases of the stream decoders.
/// Included by et/wire .cpp files only.

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "et/llm/plausible.hpp"
#include "et/util/encode.hpp"
#include "et/wire/codec.hpp"
#include "et/wire/ndjson.hpp"
#include "et/wire/sse.hpp"

namespace et::wire::detail {

// -- reading JSON -------------------------------------------------------------

/// How much memory a parse of an upstream's answer may take, in bytes per byte of text: its
/// text is mostly strings, which take their size again (an answer, a thought, tool arguments).
inline constexpr std::size_t text_memory = 4;
/// The same for a model list: many small objects, a dozen bytes of value per byte of text.
inline constexpr std::size_t listing_memory = 16;

/// Parses `text` within `memory` bytes per byte of it (and 64 KiB); invalid_input naming `what`
/// when it is malformed or needs more (a body of [0,0,...] takes 16 per byte).
result<boost::json::value> parse_json(std::string_view text, std::string_view what,
                                      std::size_t memory = text_memory);
/// Parses `text` as an object (as parse_json); invalid_input naming `what` otherwise.
result<boost::json::object> parse_object(std::string_view text, std::string_view what,
                                         std::size_t memory = text_memory);
/// Whether `o` carries an error: an "error" member that is not null.
bool has_error_member(const boost::json::object& o);
/// The string member `key`, "" when absent or not a string.
std::string_view get_string(const boost::json::object& o, std::string_view key);
/// The numeric member `key` as an integer, nullopt when absent, not a number,
/// fractional or out of int64's range (indices, context windows; token counts
/// go through count_reader).
std::optional<int64_t> get_int(const boost::json::object& o, std::string_view key);
/// A size limit a listing reports (a context window): get_int, but nullopt unless it is
/// in [1, et::max_token_count], so a -1 or 1e300 reads as unknown, not as a limit.
std::optional<int64_t> get_limit(const boost::json::object& o, std::string_view key);
/// Reads the token counts of one usage object. A count that is present but
/// not a whole JSON number in [0, et::max_token_count] (negative, huge,
/// fractional, a string) is recorded; status() then reports the first one as
/// invalid_input, so a codec rejects the response instead of billing a lie.
class count_reader {
public:
  /// A reader naming `what` ("OpenAI usage") in its failure.
  explicit count_reader(std::string_view what) : what_(what) {}
  /// The count `key` of `o`: `fallback` when absent or null, 0 when implausible.
  int64_t operator()(const boost::json::object& o, std::string_view key, int64_t fallback = 0);
  /// Nothing, or the failure of the first implausible count.
  result<void> status() const;

private:
  std::string what_;
  std::optional<failure> failed_;
};

/// The input tokens of a token-count answer `body` (a JSON object named `what`): its member
/// `key`, read like a usage count. `absent` stands in for a missing member (Gemini leaves a
/// zero out); without it a missing count is invalid_input, as is an implausible one.
result<int64_t> read_token_count(std::string_view body, std::string_view what, std::string_view key,
                                 std::optional<int64_t> absent);

/// The largest number of tool calls one answer may carry.
inline constexpr size_t max_tool_calls = 1024;
/// The largest total size of the arguments of one answer's tool calls.
inline constexpr size_t max_tool_argument_bytes = 16 * 1024 * 1024;
/// invalid_input when `calls` or `argument_bytes` is past the limits above.
result<void> check_tool_limits(size_t calls, size_t argument_bytes);
/// check_tool_limits for the calls of a whole answer.
result<void> check_tool_calls(const std::vector<tool_call>& calls);

/// The object member `key`, null when absent or not an object.
const boost::json::object* get_object(const boost::json::object& o, std::string_view key);
/// The array member `key`, null when absent or not an array.
const boost::json::array* get_array(const boost::json::object& o, std::string_view key);
/// Tool arguments or a schema as an object: `text` parsed, or {} when empty or invalid.
boost::json::object object_or_empty(std::string_view text);
/// A tool's parameters schema as an object: {"type":"object"} when it has none (every
/// protocol wants one).
boost::json::object tool_schema(const tool_spec& t);
/// Compact JSON text of `v`.
std::string to_text(const boost::json::value& v);

// -- building requests ----------------------------------------------------------

/// The path of the provider's base URL ("" for the root), falling back to the
/// type's default endpoint when base_url is empty or malformed.
std::string base_path(const config::provider& p);
/// Sets a header, replacing one of the same name (case-insensitive).
void set_header(header_list& headers, std::string_view name, std::string value);
/// `Authorization: Bearer` or `Basic` by the provider's auth type, only when a key is set.
void add_authorization(header_list& headers, const config::provider& p);
/// The provider's configured extra headers, overriding ours of the same name.
void add_extra_headers(header_list& headers, const config::provider& p);
/// A tool call id as other providers accept it: Gemini's codec keeps a thought
/// signature after "#sig:" in the id, which Anthropic's id pattern rejects.
std::string_view portable_id(std::string_view id);
/// A POST with a JSON body and the content headers for a plain or streamed answer.
http_request post_json(std::string target, const boost::json::object& body, bool stream);

// -- answer formats (chat_request::format, formats.cpp) ---------------------------

/// Adds OpenAI's `response_format` for `f` to `body` (nothing for text).
result<void> add_openai_format(boost::json::object& body, const answer_format& f);
/// Adds Ollama's `format`: "json", or the schema.
result<void> add_ollama_format(boost::json::object& body, const answer_format& f);
/// Adds Gemini's `responseMimeType` and `responseJsonSchema` to the generation config.
result<void> add_gemini_format(boost::json::object& body, const answer_format& f);
/// Adds Anthropic's `output_config.format`: a schema only (unsupported for json_object).
result<void> add_anthropic_format(boost::json::object& body, const answer_format& f);

// -- decoding streams -----------------------------------------------------------

/// Appends a chunk when there is any text or reasoning.
void push_chunk(std::vector<chunk>& out, std::string_view text, std::string_view reasoning);
/// The failure of a stream that ended before its terminal event.
failure interrupted(std::string_view terminal, const chat_response& partial);

/// Common part of the SSE-framed decoders: framing, a sticky failure, and the
/// end-of-stream check.
class sse_stream : public stream_decoder {
public:
  result<void> feed(std::string_view bytes, std::vector<chunk>& out) final;
  result<chat_response> finish(std::vector<chunk>& out) final;
  /// complete(), unless a protocol tells its end apart (Gemini).
  bool ended() const override { return complete(); }

protected:
  /// Handles one event; a failure stops the stream.
  virtual result<void> on_event(const sse_event& ev, std::vector<chunk>& out) = 0;
  /// True once the protocol's terminal event arrived.
  virtual bool complete() const = 0;
  /// The terminal event's name, for the stream_interrupted message.
  virtual std::string_view terminal() const = 0;
  /// Last touches on a complete response (finish reason, tool arguments).
  virtual void finalize() {}

  chat_response response_; ///< assembled so far

private:
  sse_decoder sse_;
  std::optional<failure> failed_;
};

/// Common part of the NDJSON decoders, as sse_stream.
class ndjson_stream : public stream_decoder {
public:
  result<void> feed(std::string_view bytes, std::vector<chunk>& out) final;
  result<chat_response> finish(std::vector<chunk>& out) final;
  bool ended() const final { return complete(); }

protected:
  /// Handles one line; a failure stops the stream.
  virtual result<void> on_line(std::string_view line, std::vector<chunk>& out) = 0;
  /// True once the protocol's terminal line arrived.
  virtual bool complete() const = 0;
  /// Last touches on a complete response.
  virtual void finalize() {}

  chat_response response_; ///< assembled so far

private:
  ndjson_decoder lines_;
  std::optional<failure> failed_;
};

} // namespace et::wire::detail

namespace et::wire::detail {

/// The codec factories behind make_codec, one per protocol source file.
std::unique_ptr<codec> make_openai(const config::provider& p);
/// Anthropic Messages.
std::unique_ptr<codec> make_anthropic(const config::provider& p);
/// Ollama's native API.
std::unique_ptr<codec> make_ollama(const config::provider& p);
/// Gemini generativelanguage v1beta.
std::unique_ptr<codec> make_gemini(const config::provider& p);

// -- embeddings (embed.cpp) -------------------------------------------------------

/// OpenAI POST {base}/embeddings with `input` as an array and float encoding.
result<http_request> openai_embed(const config::provider& p, const std::string& path,
                                  const embed_request& req);
/// Decodes OpenAI's `data[].embedding` (ordered by `index`) and `usage.prompt_tokens`.
result<embed_response> decode_openai_embed(std::string_view body, const embed_request& req);
/// Ollama POST {base}/api/embed with `input` as an array.
result<http_request> ollama_embed(const config::provider& p, const std::string& path,
                                  const embed_request& req);
/// Decodes Ollama's `embeddings` and `prompt_eval_count`.
result<embed_response> decode_ollama_embed(std::string_view body, const embed_request& req);
/// Gemini POST {base}/v1beta/models/{model}:batchEmbedContents, one request per input.
result<http_request> gemini_embed(const config::provider& p, const std::string& path,
                                  const embed_request& req);
/// Decodes Gemini's `embeddings[].values`; Gemini reports no usage, so prompt tokens are
/// estimated from the input bytes (cost::estimate_tokens).
result<embed_response> decode_gemini_embed(std::string_view body, const embed_request& req);

} // namespace et::wire::detail
