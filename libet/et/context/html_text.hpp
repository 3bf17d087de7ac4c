#pragma once
/// Web pages as plain text for a prompt. The input is hostile (any bytes, any size, any
/// nesting): one linear pass, no recursion, no tree, output bounded; what cannot be read is
/// dropped, never guessed at.

#include <cstddef>
#include <string>
#include <string_view>

namespace et::context {

/// A page reduced to text.
struct page_text {
  std::string title; ///< the <title>, whitespace collapsed ("" for none)
  std::string text;  ///< the visible text: valid UTF-8, lines separated by '\n'
};

/// Bytes of text a page yields at most.
constexpr size_t max_page_text = 1 << 20;

/// `html` as text: script, style, noscript, template, svg and the head (but its title) are
/// dropped; block elements end lines; entities (named common ones, decimal and hex numeric)
/// are decoded, invalid ones become U+FFFD or stay literal; whitespace runs collapse (kept
/// inside <pre>); invalid UTF-8 becomes U+FFFD; at most `max_bytes` of text.
page_text html_to_text(std::string_view html, size_t max_bytes = max_page_text);

/// Plain text (text/plain, markdown, JSON) made safe for a prompt: invalid UTF-8 becomes
/// U+FFFD, control bytes other than tab and newline are dropped, "\r\n" becomes "\n", at
/// most `max_bytes`.
std::string clean_text(std::string_view text, size_t max_bytes = max_page_text);

} // namespace et::context
