#include "images.hpp"

#include <boost/json.hpp>
#include <string_view>

namespace et::fake {
namespace {

namespace json = boost::json;

std::string_view string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view{v->get_string()} : std::string_view{};
}

const json::object* object_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

bool link(std::string_view url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

// OpenAI: {"type":"image_url","image_url":{"url":...}}.
bool openai_image(const json::object& part) {
  const auto* inner = object_at(part, "image_url");
  if (inner == nullptr)
    return false;
  auto url = string_at(*inner, "url");
  return link(url)
         || (url.starts_with("data:image/") && url.find(";base64,") != std::string_view::npos);
}

// Anthropic's image and document blocks: {"source":{"type":"base64","media_type","data"} or
// {"type":"url","url"}}, the media type beginning with `media`.
bool anthropic_source(const json::object& block, std::string_view media) {
  const auto* source = object_at(block, "source");
  if (source == nullptr)
    return false;
  auto kind = string_at(*source, "type");
  if (kind == "url")
    return link(string_at(*source, "url"));
  return kind == "base64" && string_at(*source, "media_type").starts_with(media)
         && !string_at(*source, "data").empty();
}

bool pdf_data_url(std::string_view url) {
  return url.starts_with("data:application/pdf;base64,") && url.size() > 28;
}

// OpenAI: {"type":"file","file":{"filename","file_data": a data URL}}; OpenAI wants the name.
bool openai_document(const json::object& part) {
  const auto* inner = object_at(part, "file");
  return inner != nullptr && !string_at(*inner, "filename").empty()
         && pdf_data_url(string_at(*inner, "file_data"));
}

} // namespace

int64_t content_attachments(const json::value* content) {
  if (content == nullptr || !content->is_array())
    return 0;
  int64_t n = 0;
  for (const auto& v : content->get_array()) {
    if (!v.is_object())
      continue;
    const auto& part = v.get_object();
    auto type = string_at(part, "type");
    if (type == "image_url")
      n += openai_image(part) ? image_tokens : 0;
    else if (type == "image")
      n += anthropic_source(part, "image/") ? image_tokens : 0;
    else if (type == "file")
      n += openai_document(part) ? document_tokens : 0;
    else if (type == "document")
      n += anthropic_source(part, "application/pdf") ? document_tokens : 0;
    else if (type == "tool_result")
      n += content_attachments(part.if_contains("content"));
  }
  return n;
}

int64_t ollama_attachments(const json::object& message) {
  const auto* images = message.if_contains("images");
  if (images == nullptr || !images->is_array())
    return 0;
  int64_t n = 0;
  for (const auto& v : images->get_array())
    n += v.is_string() && !v.get_string().empty() ? image_tokens : 0;
  return n;
}

int64_t gemini_attachments(const json::value* parts) {
  if (parts == nullptr || !parts->is_array())
    return 0;
  int64_t n = 0;
  for (const auto& v : parts->get_array()) {
    if (!v.is_object())
      continue;
    // The API reads proto3 JSON, which takes both spellings of a field.
    const auto& part = v.get_object();
    const auto* data = object_at(part, "inlineData");
    data = data != nullptr ? data : object_at(part, "inline_data");
    if (data == nullptr)
      continue;
    auto type = string_at(*data, "mimeType");
    type = type.empty() ? string_at(*data, "mime_type") : type;
    if (string_at(*data, "data").empty())
      continue;
    n += type.starts_with("image/")  ? image_tokens
         : type == "application/pdf" ? document_tokens
                                     : 0;
  }
  return n;
}

int64_t turn_attachments(const json::object& message) {
  return content_attachments(message.if_contains("content")) + ollama_attachments(message);
}

} // namespace et::fake
