#pragma once
/// What images and documents in client requests share, however a client writes them: bytes
/// (base64, of a media type the upstreams take, beginning as that type's files do) or an
/// http(s) link the upstream fetches (the gateway never fetches one itself), and a data URL for
/// either. Included by .cpp files only.

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "et/gateway/request.hpp"
#include "et/llm/chat.hpp"
#include "et/util/result.hpp"

namespace et::gateway::detail {

/// What a part may hold.
enum class attachment : uint8_t {
  image,    ///< PNG, JPEG, GIF or WebP
  document, ///< PDF
};

/// The bytes of an attachment: `data` must be bounded, well-formed base64 of a media type that
/// `want` takes (`type_name` in any case; image/jpg read as image/jpeg), beginning as that
/// type's files do. A document's pages are estimated here, once (cost::estimate_pdf_pages).
/// `field` names the part in errors.
result<image> attachment_bytes(std::string_view type_name, std::string data,
                               const std::string& field, const limits& bounds, attachment want);

/// A link the upstream fetches: http(s), a host, printable characters only, bounded. A
/// document's link carries the PDF media type, so that upstreams write it as a file.
result<image> attachment_link(std::string_view link, const std::string& field, const limits& bounds,
                              attachment want);

/// True when `text` begins as a data URL does ("data:" in any case).
bool is_data_url(std::string_view text);

/// A data URL ("data:image/png;base64,...", ";base64," in any case) as attachment_bytes, or a
/// link as attachment_link.
result<image> attachment_of_url(std::string url, const std::string& field, const limits& bounds,
                                attachment want);

/// The `source` of Anthropic's image or document block `part` (named `field`):
/// {"type":"base64","media_type","data"} or {"type":"url","url"}; another source type is
/// unsupported, `others` saying what to send instead.
result<image> anthropic_source(const boost::json::object& part, const std::string& field,
                               const limits& bounds, attachment want, std::string_view others);

} // namespace et::gateway::detail
