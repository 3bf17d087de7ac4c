#pragma once
/// Fetched pages in the charset they declare, turned into UTF-8 before their text is read. A
/// Latin-1 or Shift_JIS page read as UTF-8 would reach the prompt as replacement characters.

#include <string>
#include <string_view>

namespace et::context {

/// The charset a page declares, lowercase: a byte order mark, else the Content-Type header's
/// `charset`, else (for HTML) a `<meta charset>` or `<meta http-equiv="Content-Type">` in its
/// first 1024 bytes (as browsers prescan). "" when none.
std::string declared_charset(std::string_view content_type, std::string_view body, bool html);

/// `body` as UTF-8, decoded from `charset` with iconv. Only the charsets of the web are
/// decoded (latin1 and us-ascii read as windows-1252, as browsers do; gb2312 as gbk); UTF-8,
/// none or any other leaves the body as it is. A byte that does not decode becomes U+FFFD.
std::string to_utf8(std::string body, std::string_view charset);

} // namespace et::context
