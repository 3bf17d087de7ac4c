#include "et/util/terminal.hpp"

#include <cstdint>
#include <cstdio>

#include "et/util/text.hpp"

namespace et {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD"; // U+FFFD

// The length of the UTF-8 sequence starting with `lead`, 0 when it cannot start one.
size_t sequence_length(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF)
    return 2;
  if (lead >= 0xE0 && lead <= 0xEF)
    return 3;
  if (lead >= 0xF0 && lead <= 0xF4)
    return 4;
  return 0;
}

bool continuation(unsigned char b) {
  return (b & 0xC0) == 0x80;
}

// A C0 control byte (or DEL) in caret notation.
void caret(std::string& out, unsigned char c) {
  out += '^';
  out += c == 0x7F ? '?' : static_cast<char>(c + 0x40);
}

// Decodes a complete sequence of `n` bytes; 0 when it is not valid UTF-8 (overlong, a
// surrogate, beyond U+10FFFF).
uint32_t decode(std::string_view s, size_t n) {
  static constexpr uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  uint32_t cp = static_cast<unsigned char>(s[0]) & (0x7Fu >> n);
  for (size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[k]) & 0x3F);
  if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return cp;
}

} // namespace

std::string terminal_sanitizer::feed(std::string_view chunk) {
  std::string in = std::move(held_);
  held_.clear();
  in.append(chunk);
  std::string out;
  out.reserve(in.size() + 8);
  size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        out += '\n';
        ++i;
        continue;
      }
      caret(out, '\r');
    }
    if (c < 0x80) {
      if (c == '\r')
        pending_cr_ = true;
      else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
        caret(out, c);
      else
        out += static_cast<char>(c);
      ++i;
      continue;
    }
    auto n = sequence_length(c);
    if (n == 0) {
      out += replacement;
      ++i;
      continue;
    }
    // As many of its bytes as are here; a sequence cut by the chunk's end waits for the rest.
    size_t have = 1;
    while (have < n && i + have < in.size()
           && continuation(static_cast<unsigned char>(in[i + have])))
      ++have;
    if (have < n && i + have == in.size()) {
      held_ = in.substr(i);
      break;
    }
    if (have < n) { // cut short by a byte that cannot continue it: one U+FFFD for the part
      out += replacement;
      i += have;
      continue;
    }
    auto cp = decode(std::string_view{in}.substr(i, n), n);
    if (cp == 0) {
      out += replacement;
      ++i;
      continue;
    }
    if (cp >= 0x80 && cp <= 0x9F) {
      caret(out, 0x1B);
      out += static_cast<char>(cp - 0x40);
    } else if (is_bidi_control(cp)) {
      char code[16];
      std::snprintf(code, sizeof code, "<U+%04X>", static_cast<unsigned>(cp));
      out += code;
    } else {
      out.append(in, i, n);
    }
    i += n;
  }
  return out;
}

std::string terminal_sanitizer::finish() {
  std::string out;
  if (pending_cr_)
    caret(out, '\r');
  if (!held_.empty())
    out += replacement;
  pending_cr_ = false;
  held_.clear();
  return out;
}

std::string sanitize_for_terminal(std::string_view text) {
  terminal_sanitizer s;
  auto out = s.feed(text);
  return out + s.finish();
}

sanitizing_streambuf::sanitizing_streambuf(std::streambuf* target)
    : target_(target), raw_(target) {}

sanitizing_streambuf::~sanitizing_streambuf() {
  std::lock_guard<std::mutex> guard{mutex_};
  put(sanitizer_.finish());
  target_->pubsync();
}

bool sanitizing_streambuf::put(std::string_view text) {
  return target_->sputn(text.data(), static_cast<std::streamsize>(text.size()))
         == static_cast<std::streamsize>(text.size());
}

sanitizing_streambuf::int_type sanitizing_streambuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof()))
    return traits_type::not_eof(c);
  char ch = traits_type::to_char_type(c);
  std::lock_guard<std::mutex> guard{mutex_};
  return put(sanitizer_.feed(std::string_view{&ch, 1})) ? c : traits_type::eof();
}

std::streamsize sanitizing_streambuf::xsputn(const char* s, std::streamsize n) {
  std::lock_guard<std::mutex> guard{mutex_};
  return put(sanitizer_.feed(std::string_view{s, static_cast<size_t>(n)})) ? n : 0;
}

int sanitizing_streambuf::sync() {
  std::lock_guard<std::mutex> guard{mutex_};
  return target_->pubsync();
}

std::ostream& unsanitized(std::ostream& s) {
  if (auto* buf = dynamic_cast<sanitizing_streambuf*>(s.rdbuf())) {
    s.flush();
    return buf->raw();
  }
  return s;
}

} // namespace et
