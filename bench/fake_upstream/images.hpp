#pragma once
/// Images in a chat body, as each protocol documents them. The fake upstream bills each one
/// `image_tokens` prompt tokens, so a client sees in the usage it gets back that its images
/// reached the upstream in a shape the upstream takes (a malformed one counts nothing).

#include <boost/json/fwd.hpp>
#include <cstdint>

namespace et::fake {

/// Prompt tokens one image costs here (real providers bill about 85 to 1,600 by size).
inline constexpr int64_t image_tokens = 1000;

/// OpenAI and Anthropic message content: `image_url` parts whose url is a data:image/...;base64,
/// URL or an http(s) link, `image` blocks with a base64 or url source, and the image blocks
/// inside Anthropic tool_result blocks.
int64_t content_images(const boost::json::value* content);

/// Ollama: a message's `images`, base64 strings.
int64_t ollama_images(const boost::json::object& message);

/// The images of one OpenAI, Anthropic or Ollama message: in its content or its `images`.
int64_t turn_images(const boost::json::object& message);

/// Gemini: `inlineData` parts with an image mimeType and data.
int64_t gemini_images(const boost::json::value* parts);

} // namespace et::fake
