#pragma once
/// What the protocols' encodings of images share: an image as a URL, and the refusal of links by
/// the protocols that take only bytes. Included by et/wire .cpp files only.

#include <string>
#include <string_view>

#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::wire::detail {

/// The image as a URL: its link, or its bytes as a data URL ("data:image/png;base64,...").
std::string image_url(const image& i);

/// unsupported when a turn of `req` carries an image as a link: `protocol` ("gemini") cannot
/// fetch one, and et fetches none itself, so only an image's bytes can be sent to it.
result<void> refuse_image_links(const chat_request& req, std::string_view protocol);

} // namespace et::wire::detail
