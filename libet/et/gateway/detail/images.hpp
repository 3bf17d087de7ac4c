#pragma once
/// Images in client requests, the three ways clients write them: OpenAI chat's `image_url`
/// parts, the Responses API's `input_image` parts and Anthropic's `image` blocks. An image is
/// either its bytes (base64, with a media type every upstream takes, and the bytes must begin
/// as that type's files do) or an http(s) link the upstream fetches: the gateway never fetches
/// one itself. The checks they share with documents are in attachments.hpp; what a content
/// array may hold (part_kinds) covers both. Included by .cpp files only.

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "et/gateway/request.hpp"
#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::gateway::detail {

namespace json = boost::json;

/// Reads one image part (an object named `field`) into an image.
using image_reader = result<image> (*)(const json::object& part, const std::string& field,
                                       const limits& bounds);

/// Reads one document part (an object named `field`) into `turn`: a file as an attachment at
/// the end of its text so far, or a text document as text (documents.hpp).
using document_reader = result<void> (*)(const json::object& part, const std::string& field,
                                         const limits& bounds, message& turn);

/// `picture`, read from a part, appended to `turn` at the end of its text so far.
result<void> attach(result<image> picture, message& turn);

/// `text` appended to `turn`'s text; invalid_input naming `field` when the turn's text would
/// grow past bounds.max_string_bytes.
result<void> append_text(message& turn, std::string_view text, std::string_view field,
                         const limits& bounds);

/// OpenAI chat: {"type":"image_url","image_url":{"url": link or data URL,"detail":...}}.
result<image> openai_image(const json::object& part, const std::string& field,
                           const limits& bounds);

/// Responses: {"type":"input_image","image_url": link or data URL,"detail":...}; a file_id is
/// unsupported (nothing is stored).
result<image> responses_image(const json::object& part, const std::string& field,
                              const limits& bounds);

/// Anthropic: {"type":"image","source":{"type":"base64","media_type","data"} or
/// {"type":"url","url"}}; a file source is unsupported.
result<image> anthropic_image(const json::object& part, const std::string& field,
                              const limits& bounds);

/// What a content array may hold where images (and documents) are allowed.
struct part_kinds {
  std::vector<std::string_view> text_types; ///< the type names of text parts
  std::string_view image_type;              ///< the type name of image parts ("" = none here)
  image_reader read_image = nullptr;        ///< reads an image part
  std::vector<std::string_view> ignored;    ///< members of a text part that have no effect
  std::string_view document_type;           ///< the type name of document parts ("" = none)
  document_reader read_document = nullptr;  ///< reads a document part (documents.hpp)
};

/// Reads a content value into `turn`: a string, or an array of text parts (appended to its
/// content), image parts (appended to its images, placed at the end of the text so far) and
/// document parts (as their reader puts them: a file as an image, a text document as text).
/// Other part types are unsupported, naming the part; every text, image and document is
/// bounded.
result<void> parts_into(const json::value& v, std::string_view field, const limits& bounds,
                        const part_kinds& kinds, message& turn);

/// At most `bounds.max_images` images and documents in the whole conversation (`field` names where
/// they came from: "messages" or "input").
result<void> count_images(const std::vector<message>& messages, std::string_view field,
                          const limits& bounds);

} // namespace et::gateway::detail
