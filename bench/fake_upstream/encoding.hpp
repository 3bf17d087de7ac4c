#pragma once
/// Small helpers the four encoders share: JSON text and SSE framing.

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace et::fake {
class encoder;
} // namespace et::fake

namespace et::fake::detail {

/// The per-provider encoders, one static instance each.
const encoder& openai_encoder_instance();
/// See openai_encoder_instance().
const encoder& anthropic_encoder_instance();
/// See openai_encoder_instance().
const encoder& ollama_encoder_instance();
/// See openai_encoder_instance().
const encoder& gemini_encoder_instance();

/// Serialises a JSON value compactly.
std::string json_text(const boost::json::value& v);

/// One SSE event with only a data line, LF framed: "data: <data>\n\n".
std::string sse_data(std::string_view data);

/// One SSE event with an event line: "event: <name>\ndata: <data>\n\n".
std::string sse_event(std::string_view name, std::string_view data);

/// Gemini without alt=sse streams one JSON array: the elements are the SSE
/// events' data ("data: " ... "\r\n\r\n" stripped), comma-separated.
std::string sse_to_array(const std::vector<std::string>& events);

/// Appends one chunk of the chunked transfer coding: hex size, CRLF, data, CRLF.
void append_chunk(std::string& out, const std::string& data);

/// The index of the first model of a page: 0 when `token` is empty or unknown.
size_t page_start(std::string_view token);

} // namespace et::fake::detail
