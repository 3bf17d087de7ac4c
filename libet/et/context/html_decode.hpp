#pragma once
/// Internal to html_text.cpp: UTF-8 validation and HTML entity decoding, each bounded and
/// total (any bytes in, a defined answer out).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace et::context::html {

/// U+FFFD, what undecodable bytes and invalid character references become.
constexpr std::string_view replacement = "\xEF\xBF\xBD";

/// Length of the valid UTF-8 sequence at s[i] (no overlongs, surrogates or values past
/// U+10FFFF), 0 when there is none.
size_t utf8_length(std::string_view s, size_t i);

/// The text an entity at s[i] ('&') stands for, and its length in `s`; nullopt leaves the
/// '&' literal. Numeric references need no ';', named ones do; invalid code points (NUL,
/// surrogates, C0/C1 controls but tab and newline, past U+10FFFF) become U+FFFD.
std::optional<std::pair<std::string, size_t>> entity_at(std::string_view s, size_t i);

/// `c` lower-cased (ASCII only).
inline char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// HTML whitespace (and \v).
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// An ASCII letter.
inline bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// An ASCII letter or digit.
inline bool is_alnum(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9');
}

} // namespace et::context::html
