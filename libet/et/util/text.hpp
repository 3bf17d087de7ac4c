#pragma once
/// Small text helpers shared across libet: suggestions, trimming, redaction.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace et {

/// A duration for humans: "1.2s", "2m03s".
std::string format_elapsed(std::chrono::milliseconds ms);

/// The edit distance between two strings (bytes): insertions, deletions, substitutions and
/// swaps of two neighbours ("polecta" is one edit from "polecat"), each counting one.
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a likely typo
/// (at most a third of the word's length, at least 1, and at most 3 edits).
std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates);

/// `text` without leading and trailing ASCII white space.
std::string_view trim(std::string_view text);

/// The length of the well-formed UTF-8 sequence that starts at `at` (1 for ASCII), or 0 when
/// the bytes there are not one (a stray continuation byte, a cut or overlong sequence, a
/// surrogate, past U+10FFFF).
size_t utf8_sequence(std::string_view text, size_t at);

/// The code point of the well-formed sequence of `n` bytes at `at` (utf8_sequence's answer).
char32_t utf8_decode(std::string_view text, size_t at, size_t n);

/// Whether `c` is a bidirectional control (U+061C, U+200E, U+200F, U+202A..U+202E,
/// U+2066..U+2069): unseen itself, it can show code or a name in another order than it has
/// ("Trojan Source").
bool is_bidi_control(char32_t c);

/// Whether `c` changes how the text around it reads without being seen itself: a bidi control;
/// a zero-width one or a filler (U+200B..U+200D, U+2060..U+2064, U+FEFF, the soft hyphen, the
/// combining grapheme joiner, the Hangul fillers, U+180E, U+206A..U+206F), which make two names
/// look alike (visible spaces of other widths, U+00A0 or U+3000, are not among them); line and
/// paragraph separators (U+2028, U+2029); variation selectors; the interlinear annotation marks;
/// and the tag characters (U+E0000..U+E007F), which carry text a model reads and a person does not
/// see.
bool is_hidden_format(char32_t c);

/// `text` with its ASCII letters lowered; other bytes as they are (no locale).
std::string ascii_lower(std::string_view text);

/// A Content-Type's media type, lowered and without parameters or white space:
/// "Text/HTML ; charset=utf-8" -> "text/html"; "" when there is none.
std::string media_type(std::string_view content_type);

/// `text` on one line and at most `max` bytes (then "..."): control bytes, bytes that are not
/// UTF-8 and backquotes (which delimit field names in messages) become \xNN. For bytes of a
/// client or a peer that end up in a message or a log line: a JSON key, a model name or an
/// alias must not forge lines in et's log or reach a terminal as control sequences.
std::string printable(std::string_view text, std::size_t max = 256);

/// Makes `text` valid UTF-8 in place: every byte that does not start a well-formed sequence
/// (utf8_sequence) becomes U+FFFD; valid text is left as it is, without a copy. JSON must be
/// UTF-8 (RFC 8259) and Boost.JSON writes strings' bytes as they are, so everything et sends
/// or keeps as JSON goes through this: a Latin-1 source file or model output cut mid-character
/// would otherwise make a provider refuse the request, or a reader the line.
void make_valid_utf8(std::string& text);

/// At most `max_bytes` of `text`, cut before a UTF-8 sequence rather than inside one.
std::string clip_utf8(std::string_view text, size_t max_bytes);

/// The last `n` lines of `text` that hold more than white space, each cut to `max_line`
/// bytes (clip_utf8, then "..."), each after `prefix`, joined by line breaks: the end of a
/// command's output, where it says why it failed.
std::string last_lines(std::string_view text, size_t n, size_t max_line, std::string_view prefix);

/// Joins `parts` with `separator` between them.
std::string join(const std::vector<std::string>& parts, std::string_view separator);

/// How a secret is shown: "****" when set (no part of it, ever), "" when empty.
std::string redact(std::string_view secret);

/// `text` with every occurrence of each non-empty secret replaced by "****"; one shorter than 8
/// bytes (a local server's dummy key "1") not where a letter, digit, '_' or a '.' or '-' before
/// one joins it to a word, a number or an address ("127.0.0.1:18081" keeps its "1"s).
std::string scrub(std::string text, const std::vector<std::string>& secrets);

/// True when `text` starts with `prefix`.
inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

} // namespace et
