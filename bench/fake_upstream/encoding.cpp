#include "encoding.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>

#include "protocols.hpp"

namespace et::fake {

std::string_view to_string(protocol p) {
  switch (p) {
    case protocol::openai:
      return "openai";
    case protocol::anthropic:
      return "anthropic";
    case protocol::ollama:
      return "ollama";
    case protocol::gemini:
      return "gemini";
  }
  return "openai";
}

const encoder& encoder_for(protocol p) {
  switch (p) {
    case protocol::openai:
      break;
    case protocol::anthropic:
      return detail::anthropic_encoder_instance();
    case protocol::ollama:
      return detail::ollama_encoder_instance();
    case protocol::gemini:
      return detail::gemini_encoder_instance();
  }
  return detail::openai_encoder_instance();
}

} // namespace et::fake

namespace et::fake::detail {

std::string json_text(const boost::json::value& v) {
  return boost::json::serialize(v);
}

std::string sse_data(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 8);
  out.append("data: ").append(data).append("\n\n");
  return out;
}

std::string sse_event(std::string_view name, std::string_view data) {
  std::string out;
  out.reserve(name.size() + data.size() + 16);
  out.append("event: ").append(name).append("\ndata: ").append(data).append("\n\n");
  return out;
}

size_t page_start(std::string_view token) {
  size_t start = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), start);
  return ec == std::errc{} && end == token.data() + token.size() ? start : 0;
}

// Gemini without alt=sse streams one JSON array; the SSE events hold its elements.
std::string sse_to_array(const std::vector<std::string>& events) {
  std::string out = "[";
  for (const auto& e : events) {
    if (out.size() > 1)
      out += ",\r\n";
    out += std::string_view{e}.substr(6, e.size() - 10); // strip "data: " and "\r\n\r\n"
  }
  return out + "]";
}

// Chunked transfer coding of one chunk: hex size, CRLF, data, CRLF.
void append_chunk(std::string& out, const std::string& data) {
  char size[20];
  auto [end, ec] = std::to_chars(size, size + sizeof size, data.size(), 16);
  out.append(size, end).append("\r\n").append(data).append("\r\n");
}

} // namespace et::fake::detail
