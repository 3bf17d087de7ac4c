#include "et/chat/line_render.hpp"

#include <array>
#include <cstdio>
#include <utility>

#include "et/util/text.hpp"

namespace et::chat {

namespace {

using range = std::pair<char32_t, char32_t>;

// Combining marks, which draw on the cell before them.
constexpr std::array<range, 9> combining{{{0x0300, 0x036F},
                                          {0x0483, 0x0489},
                                          {0x0591, 0x05BD},
                                          {0x0610, 0x061A},
                                          {0x064B, 0x065F},
                                          {0x1AB0, 0x1AFF},
                                          {0x1DC0, 0x1DFF},
                                          {0x20D0, 0x20FF},
                                          {0xFE20, 0xFE2F}}};

// East Asian wide and full-width characters and the emoji blocks terminals draw two wide.
constexpr std::array<range, 16> wide{{{0x1100, 0x115F},
                                      {0x2E80, 0x303E},
                                      {0x3041, 0x33FF},
                                      {0x3400, 0x4DBF},
                                      {0x4E00, 0x9FFF},
                                      {0xA000, 0xA4CF},
                                      {0xAC00, 0xD7A3},
                                      {0xF900, 0xFAFF},
                                      {0xFE30, 0xFE4F},
                                      {0xFF00, 0xFF60},
                                      {0xFFE0, 0xFFE6},
                                      {0x1F300, 0x1F64F},
                                      {0x1F680, 0x1F6FF},
                                      {0x1F900, 0x1F9FF},
                                      {0x20000, 0x2FFFD},
                                      {0x30000, 0x3FFFD}}};

template <size_t N>
bool in(const std::array<range, N>& ranges, char32_t c) {
  for (auto [lo, hi] : ranges)
    if (c >= lo && c <= hi)
      return true;
  return false;
}

// One code point as drawn: its bytes and the columns they take. A stand-in spelled in ASCII
// (a tab's spaces, `^[`, `<U+202E>`) wraps between its characters, as the terminal wraps it.
struct glyph {
  std::string bytes;
  size_t columns = 0;
  bool spelled = false;
};

glyph glyph_of(std::string_view text, size_t at, size_t n) {
  auto c = n == 0 ? char32_t{0xFFFD} : utf8_decode(text, at, n);
  if (c == '\t')
    return {"    ", 4, true};
  if (c < 0x20 || c == 0x7F)
    return {std::string{'^', static_cast<char>(c == 0x7F ? '?' : c + 0x40)}, 2, true};
  if (c >= 0x80 && c < 0xA0)
    return {std::string{"^["} + static_cast<char>(c - 0x40), 3, true};
  if (is_bidi_control(c)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "<U+%04X>", static_cast<unsigned>(c));
    return {buf, 8, true};
  }
  if (n == 0)
    return {"\xEF\xBF\xBD", 1}; // a byte that is not UTF-8
  return {std::string{text.substr(at, n)}, columns_of(c)};
}

// Where the next cell goes. After the last column a terminal waits to wrap until the next
// character comes ("pending"); a CR there goes back to the start of the same row.
struct pen {
  size_t row = 0;
  size_t col = 0;
  bool pending = false;

  void advance(size_t columns, size_t width) {
    if (columns == 0)
      return;
    if (pending || col + columns > width) {
      ++row;
      col = 0;
      pending = false;
    }
    col += columns;
    if (col >= width) {
      col = width;
      pending = true;
    }
  }
  void line_break() {
    ++row;
    col = 0;
    pending = false;
  }
  // Where the terminal's cursor shows when it stands here.
  std::pair<size_t, size_t> shown() const {
    return pending ? std::pair{row + 1, size_t{0}} : std::pair{row, col};
  }
};

void place(pen& p, const glyph& g, size_t width) {
  if (!g.spelled)
    return p.advance(g.columns, width);
  for (size_t i = 0; i < g.bytes.size(); ++i)
    p.advance(1, width);
}

std::string csi(size_t n, char what) {
  return "\x1b[" + std::to_string(n) + what;
}

// The rows `text` takes with its prompt, counted up to `limit` (so a summary can stand in for
// a tall text without a walk through all of it).
size_t rows_of(const line_view& view, std::string_view text, size_t width, size_t limit) {
  pen p;
  p.advance(view.prompt.size(), width);
  for (size_t at = 0; at < text.size() && p.row < limit;) {
    auto n = utf8_sequence(text, at);
    if (text[at] == '\n') {
      p.line_break();
      p.advance(view.continuation.size(), width);
    } else {
      place(p, glyph_of(text, at, n), width);
    }
    at += n == 0 ? 1 : n;
  }
  return p.shown().first + 1;
}

std::string summary_of(std::string_view text) {
  size_t lines = 1;
  for (char c : text)
    lines += c == '\n';
  return "[" + std::to_string(lines) + " lines, " + std::to_string(text.size())
         + " bytes: Enter sends them, Ctrl-C drops them]";
}

} // namespace

size_t columns_of(char32_t c) {
  if (c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0000 && c <= 0xE007F) || c == 0x200B
      || c == 0x2060 || c == 0xFEFF || in(combining, c))
    return 0;
  return in(wide, c) ? 2 : 1;
}

std::string render_line(const line_view& view, std::string_view text, size_t cursor,
                        size_t& cursor_row) {
  auto width = view.width == 0 ? size_t{80} : view.width;
  std::string out = cursor_row > 0 ? csi(cursor_row, 'A') : std::string{};
  out += "\r\x1b[J";
  std::string summary;
  if (view.height > 0 && rows_of(view, text, width, view.height) >= view.height) {
    summary = summary_of(text); // too tall to redraw in place: edits go on unseen
    text = summary;
    cursor = text.size();
  }
  pen p;
  out += view.prompt;
  p.advance(view.prompt.size(), width);
  auto at_cursor = p.shown();
  for (size_t at = 0; at < text.size();) {
    if (at == cursor)
      at_cursor = p.shown();
    auto n = utf8_sequence(text, at);
    if (text[at] == '\n') {
      out += "\r\n";
      out += view.continuation;
      p.line_break();
      p.advance(view.continuation.size(), width);
    } else {
      auto g = glyph_of(text, at, n);
      out += g.bytes;
      place(p, g, width);
    }
    at += n == 0 ? 1 : n;
  }
  if (cursor >= text.size())
    at_cursor = p.shown();
  if (p.pending) { // make the wrap happen, so the cursor can stand on the next row
    out += "\r\n";
    p.line_break();
  }
  auto [row, col] = at_cursor;
  if (p.row > row)
    out += csi(p.row - row, 'A');
  out += '\r';
  if (col > 0)
    out += csi(col, 'C');
  cursor_row = row;
  return out;
}

std::string finish_line(const line_view& view, std::string_view text, size_t& cursor_row) {
  auto out = render_line(view, text, text.size(), cursor_row);
  cursor_row = 0;
  return out + "\r\n";
}

} // namespace et::chat
