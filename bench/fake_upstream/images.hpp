#pragma once
/// Images and PDF documents in a chat body, as each protocol documents them. The fake upstream
/// bills each image `image_tokens` and each document `document_tokens` prompt tokens, so a
/// client sees in the usage it gets back that its attachments reached the upstream in a shape
/// the upstream takes (a malformed one counts nothing).

#include <boost/json/fwd.hpp>
#include <cstdint>

namespace et::fake {

/// Prompt tokens one image costs here (real providers bill about 85 to 1,600 by size).
inline constexpr int64_t image_tokens = 1000;

/// Prompt tokens one PDF document costs here (real providers bill each page as text and image).
inline constexpr int64_t document_tokens = 3000;

/// The attachments' tokens in OpenAI and Anthropic message content: `image_url` parts whose url
/// is a data:image/...;base64, URL or an http(s) link, `image` blocks with a base64 or url
/// source, `file` parts with a file name and a data:application/pdf;base64, URL, `document`
/// blocks with a base64 PDF or url source, and those inside Anthropic tool_result blocks.
int64_t content_attachments(const boost::json::value* content);

/// Ollama: a message's `images`, base64 strings (Ollama takes no documents).
int64_t ollama_attachments(const boost::json::object& message);

/// The attachments' tokens of one OpenAI, Anthropic or Ollama message: in its content or its
/// `images`.
int64_t turn_attachments(const boost::json::object& message);

/// Gemini: `inlineData` parts with an image or a PDF mimeType and data.
int64_t gemini_attachments(const boost::json::value* parts);

} // namespace et::fake
