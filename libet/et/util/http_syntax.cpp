#include "et/util/http_syntax.hpp"

namespace et {

bool is_http_token(std::string_view s) {
  if (s.empty())
    return false;
  for (unsigned char c : s) {
    bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || std::string_view{"!#$%&'*+-.^_`|~"}.find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok)
      return false;
  }
  return true;
}

bool is_http_field_value(std::string_view s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return false;
  return true;
}

} // namespace et
