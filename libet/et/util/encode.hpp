#pragma once
/// The encodings et sends values in: base64 (Basic auth; read back where clients send bytes),
/// percent-encoding
/// (paths and queries) and JSON string escaping. Shared by the codecs, which
/// encode secrets, and by the scrubber, which must recognise them encoded.

#include <string>
#include <string_view>

namespace et {

/// RFC 4648 base64 with padding.
std::string base64(std::string_view bytes);

/// The value (0 to 63) of a character of RFC 4648's base64 alphabet; -1 for any other.
int base64_digit(char c);

/// Percent-encodes everything but unreserved characters (for path segments and queries).
std::string percent_encode(std::string_view text);

/// `text` as inside a JSON string, without the quotes ("a\"b" for a"b).
std::string json_escape(std::string_view text);

} // namespace et
