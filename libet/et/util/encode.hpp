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

/// Whether `text` is whole standard base64: groups of four characters of the alphabet, '='
/// only as the last one or two (what base64() writes; "" is not).
bool well_formed_base64(std::string_view text);

/// Appends the bytes of base64 `text` to `out` ('=' ends the data; a last group of 2 or 3
/// characters gives 1 or 2 bytes); false at a character outside the alphabet. Text cut at a
/// multiple of 4 characters decodes piece by piece.
bool base64_decode_into(std::string_view text, std::string& out);

/// Percent-encodes everything but unreserved characters (for path segments and queries).
std::string percent_encode(std::string_view text);

/// `text` as inside a JSON string, without the quotes ("a\"b" for a"b).
std::string json_escape(std::string_view text);

} // namespace et
