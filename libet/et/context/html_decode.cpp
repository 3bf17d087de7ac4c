#include "et/context/html_decode.hpp"

#include <array>
#include <cstdint>

namespace et::context::html {

namespace {

std::string encode_utf8(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

struct named_entity {
  std::string_view name;
  std::string_view text;
};

constexpr std::array<named_entity, 24> entities{{
    {"amp", "&"},
    {"lt", "<"},
    {"gt", ">"},
    {"quot", "\""},
    {"apos", "'"},
    {"nbsp", " "},
    {"copy", "\xC2\xA9"},
    {"reg", "\xC2\xAE"},
    {"trade", "\xE2\x84\xA2"},
    {"mdash", "\xE2\x80\x94"},
    {"ndash", "\xE2\x80\x93"},
    {"hellip", "\xE2\x80\xA6"},
    {"laquo", "\xC2\xAB"},
    {"raquo", "\xC2\xBB"},
    {"lsquo", "\xE2\x80\x98"},
    {"rsquo", "\xE2\x80\x99"},
    {"ldquo", "\xE2\x80\x9C"},
    {"rdquo", "\xE2\x80\x9D"},
    {"middot", "\xC2\xB7"},
    {"bull", "\xE2\x80\xA2"},
    {"euro", "\xE2\x82\xAC"},
    {"times", "\xC3\x97"},
    {"deg", "\xC2\xB0"},
    {"para", "\xC2\xB6"},
}};

} // namespace

size_t utf8_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  if (c < 0x80)
    return 1;
  size_t n = c >= 0xC2 && c <= 0xDF   ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(k) & 0xC0) != 0x80)
      return 0;
  if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F) || (c == 0xF0 && b(1) < 0x90)
      || (c == 0xF4 && b(1) > 0x8F))
    return 0;
  return n;
}

std::optional<std::pair<std::string, size_t>> entity_at(std::string_view s, size_t i) {
  size_t j = i + 1;
  if (j < s.size() && s[j] == '#') {
    bool hex = j + 1 < s.size() && lower(s[j + 1]) == 'x';
    size_t k = j + (hex ? 2 : 1);
    size_t start = k;
    uint32_t value = 0;
    bool overflow = false;
    for (; k < s.size(); ++k) {
      char c = lower(s[k]);
      int d = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0)
        break;
      if (value > 0x10FFFF)
        overflow = true; // keep consuming digits; the value no longer grows
      else
        value = value * (hex ? 16 : 10) + static_cast<uint32_t>(d);
    }
    if (k == start)
      return std::nullopt;
    size_t end = k < s.size() && s[k] == ';' ? k + 1 : k;
    bool invalid =
        overflow || value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)
        || (value < 0x20 && value != '\t' && value != '\n') || (value >= 0x7F && value <= 0x9F);
    return std::pair{invalid ? std::string{replacement} : encode_utf8(value), end - i};
  }
  size_t k = j;
  while (k < s.size() && k - j < 8 && is_alnum(s[k]))
    ++k;
  if (k >= s.size() || s[k] != ';')
    return std::nullopt;
  auto name = s.substr(j, k - j);
  for (const auto& e : entities)
    if (e.name == name)
      return std::pair{std::string{e.text}, k + 1 - i};
  return std::nullopt;
}

} // namespace et::context::html
