#pragma once
/// What RFC 9110 allows in a header: checked where headers are configured (a config error at
/// load, with its place in the file) and again before any request is sent.

#include <string_view>

namespace et {

/// Whether `s` is an HTTP token (RFC 9110 5.6.2: one or more tchar), as a header name must be.
bool is_http_token(std::string_view s);

/// Whether `s` may be a header's value: no control character but horizontal tab (a line
/// break in one would end the header and start another).
bool is_http_field_value(std::string_view s);

} // namespace et
