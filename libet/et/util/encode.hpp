#pragma once
/// The encodings et sends values in: base64 (Basic auth), percent-encoding
/// (paths and queries) and JSON string escaping. Shared by the codecs, which
/// encode secrets, and by the scrubber, which must recognise them encoded.

#include <string>
#include <string_view>

namespace et {

/// RFC 4648 base64 with padding.
std::string base64(std::string_view bytes);

/// Percent-encodes everything but unreserved characters (for path segments and queries).
std::string percent_encode(std::string_view text);

/// `text` as inside a JSON string, without the quotes ("a\"b" for a"b).
std::string json_escape(std::string_view text);

} // namespace et
