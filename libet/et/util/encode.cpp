#include "et/util/encode.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <cctype>
#include <cstdint>

namespace et {

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8)
                 | static_cast<uint8_t>(bytes[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i]) << 16);
    if (rest == 2)
      n |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

bool well_formed_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0)
    return false;
  for (int pad = 0; pad < 2 && text.back() == '='; ++pad)
    text.remove_suffix(1);
  for (char c : text)
    if (base64_digit(c) < 0)
      return false;
  return true;
}

bool base64_decode_into(std::string_view text, std::string& out) {
  uint32_t bits = 0;
  int got = 0;
  for (char c : text) {
    if (c == '=')
      break;
    int v = base64_digit(c);
    if (v < 0)
      return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (++got == 4) {
      out.push_back(static_cast<char>((bits >> 16) & 0xff));
      out.push_back(static_cast<char>((bits >> 8) & 0xff));
      out.push_back(static_cast<char>(bits & 0xff));
      bits = 0;
      got = 0;
    }
  }
  for (int b = 0; b < got - 1; ++b)
    out.push_back(static_cast<char>((bits << (6 * (4 - got))) >> (16 - 8 * b) & 0xff));
  return true;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string json_escape(std::string_view text) {
  auto quoted = boost::json::serialize(boost::json::string{text.data(), text.size()});
  return quoted.substr(1, quoted.size() - 2);
}

} // namespace et
