#pragma once
/// What the protocols' encodings of images share: an image as a URL, and the refusal of links by
/// the protocols that take only bytes. Included by et/wire .cpp files only.

#include <string>
#include <string_view>

#include "et/config/settings.hpp"
#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::wire::detail {

/// The image as a URL: its link, or its bytes as a data URL ("data:image/png;base64,...").
std::string image_url(const image& i);

/// unsupported, saying `why`, when a turn of `req` carries an image or a document as a link.
result<void> refuse_image_links(const chat_request& req, std::string_view why);

/// unsupported, saying `why`, when a turn of `req` carries a PDF document (only one given as a
/// link, with `links_only`).
result<void> refuse_documents(const chat_request& req, std::string_view why, bool links_only);

/// Why Gemini and Ollama get no links: they cannot take one (Gemini's fileData wants uploaded
/// files), and et fetches none itself.
inline std::string no_links(std::string_view protocol) {
  return std::string{protocol}
         + ": links to images and documents are not supported: send their bytes (base64)";
}

/// unsupported when `req` carries an image as a link and `p` is not a provider's own cloud API
/// (api.openai.com, api.anthropic.com), which fetches links from its own network. Any other
/// server (vLLM, llama.cpp, a proxy) would fetch them from inside the network et runs in, where
/// a client's link could reach what the client cannot.
result<void> refuse_links_off_cloud(const chat_request& req, const config::provider& p);

} // namespace et::wire::detail
