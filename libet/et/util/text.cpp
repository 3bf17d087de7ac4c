#include "et/util/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <numeric>

namespace et {

size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the table: two letters swapped ("polecta") look back two rows.
  std::vector<size_t> before(b.size() + 1), last(b.size() + 1), row(b.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    before.swap(last);
    last.swap(row);
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({last[j] + 1, row[j - 1] + 1, last[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        row[j] = std::min(row[j], before[j - 2] + 1);
    }
  }
  return row[b.size()];
}

std::optional<std::string> nearest(std::string_view word,
                                   const std::vector<std::string>& candidates) {
  size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    auto d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string_view trim(std::string_view text) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

size_t utf8_sequence(std::string_view text, size_t at) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  auto lead = byte(at);
  if (lead < 0x80)
    return 1;
  // The sequence's length and the range its second byte must fall in (RFC 3629's table:
  // it excludes overlong forms, surrogates and code points past U+10FFFF).
  size_t n = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;
    high = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (at + n > text.size() || byte(at + 1) < low || byte(at + 1) > high)
    return 0;
  for (size_t i = 2; i < n; ++i)
    if ((byte(at + i) & 0xC0) != 0x80)
      return 0;
  return n;
}

void make_valid_utf8(std::string& text) {
  size_t at = 0;
  while (at < text.size()) {
    auto n = utf8_sequence(text, at);
    if (n == 0)
      break;
    at += n;
  }
  if (at == text.size())
    return; // the common case: one pass, no copy
  std::string out{text, 0, at};
  out.reserve(text.size() + 16);
  while (at < text.size()) {
    auto n = utf8_sequence(text, at);
    out.append(n == 0 ? std::string_view{"\xEF\xBF\xBD"} : std::string_view{text}.substr(at, n));
    at += n == 0 ? 1 : n;
  }
  text = std::move(out);
}

std::string last_lines(std::string_view text, size_t n, size_t max_line, std::string_view prefix) {
  std::vector<std::string_view> kept;
  for (size_t end = text.size(); end > 0 && kept.size() < n;) {
    auto nl = text.rfind('\n', end - 1);
    auto start = nl == std::string_view::npos ? 0 : nl + 1;
    auto line = text.substr(start, end - start);
    if (!trim(line).empty())
      kept.push_back(line);
    end = nl == std::string_view::npos ? 0 : nl;
  }
  std::string out;
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
    if (!out.empty())
      out += '\n';
    out += prefix;
    auto line = *it;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    out += line.size() > max_line ? clip_utf8(line, max_line) + "..." : std::string{line};
  }
  return out;
}

std::string clip_utf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes)
    return std::string{text};
  auto end = max_bytes;
  // Step back over continuation bytes to the start of the sequence that does not fit.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return std::string{text.substr(0, end)};
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0)
      out += separator;
    out += parts[i];
  }
  return out;
}

std::string redact(std::string_view secret) {
  return secret.empty() ? std::string{} : std::string{"****"};
}

namespace {

// Below this a secret (a local server's dummy key "1", a header "x-token: 2") is in every
// address and number: it is kept where it is joined to one, hidden everywhere else.
constexpr size_t short_secret = 8;

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Whether text[at] joins what is next to it on the side of `step` (-1: before, +1: after) to a
// word, a number or an address: a letter, a digit or '_' (but the end of a percent escape), or a
// '.' or '-' with one of those beyond it ("127.0.0.1", "2026-12-01", "v1"). Past either end
// (npos, as 0 - 1 is) joins nothing.
bool joins(const std::string& text, size_t at, int step) {
  if (at >= text.size())
    return false;
  // The end of a percent escape ("Bearer%20key") is a separator, not a word.
  if (step < 0 && at >= 2 && text[at - 2] == '%'
      && std::isxdigit(static_cast<unsigned char>(text[at]))
      && std::isxdigit(static_cast<unsigned char>(text[at - 1])))
    return false;
  if (word_char(text[at]))
    return true;
  auto beyond = at + static_cast<size_t>(step);
  return (text[at] == '.' || text[at] == '-') && beyond < text.size() && word_char(text[beyond]);
}

} // namespace

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty())
      continue;
    bool whole_only = secret.size() < short_secret;
    for (auto pos = text.find(secret); pos != std::string::npos;) {
      if (whole_only && (joins(text, pos - 1, -1) || joins(text, pos + secret.size(), 1))) {
        pos = text.find(secret, pos + 1);
        continue;
      }
      text.replace(pos, secret.size(), "****");
      pos = text.find(secret, pos + 4);
    }
  }
  return text;
}

std::string format_elapsed(std::chrono::milliseconds ms) {
  char buf[32];
  auto total = ms.count();
  if (total < 60'000)
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(total) / 1000.0);
  else
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(total / 60'000),
                  static_cast<long long>(total % 60'000 / 1000));
  return buf;
}

char32_t utf8_decode(std::string_view text, size_t at, size_t n) {
  if (n <= 1)
    return static_cast<unsigned char>(text[at]);
  char32_t cp = static_cast<unsigned char>(text[at]) & (0x7Fu >> n);
  for (size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(text[at + k]) & 0x3F);
  return cp;
}

bool is_bidi_control(char32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E)
         || (c >= 0x2066 && c <= 0x2069);
}

bool is_hidden_format(char32_t c) {
  auto in = [c](char32_t low, char32_t high) { return c >= low && c <= high; };
  return is_bidi_control(c) || c == 0x00AD || c == 0x034F || c == 0x115F || c == 0x1160
         || c == 0x180E || in(0x200B, 0x200D) || in(0x2028, 0x2029) || in(0x2060, 0x2064)
         || in(0x206A, 0x206F) || c == 0x3164 || in(0xFE00, 0xFE0F) || c == 0xFEFF || c == 0xFFA0
         || in(0xFFF9, 0xFFFB) || in(0xE0000, 0xE007F) || in(0xE0100, 0xE01EF);
}

std::string ascii_lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string media_type(std::string_view content_type) {
  return std::string{trim(ascii_lower(content_type.substr(0, content_type.find(';'))))};
}

std::string printable(std::string_view text, std::size_t max) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::size_t at = 0; at < text.size();) {
    auto n = utf8_sequence(text, at);
    auto u = static_cast<unsigned char>(text[at]);
    // Whole characters only: a message cut inside one is not UTF-8, nor JSON a client reads.
    bool escaped = n == 0 || u < 0x20 || u == 0x7f || u == '`';
    if (out.size() + (escaped ? 4 : n) > max) {
      out += "...";
      break;
    }
    if (escaped) {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
      ++at;
    } else {
      out.append(text.substr(at, n));
      at += n;
    }
  }
  return out;
}

} // namespace et
