#define CAF_SUITE libet.chat.line_render
#include "caf/test/unit_test.hpp"

#include "et/chat/line_render.hpp"

using namespace et::chat;

namespace {

line_view narrow(size_t width, size_t height = 0) {
  line_view v;
  v.width = width;
  v.height = height;
  return v;
}

} // namespace

CAF_TEST(a short line is drawn in place with the cursor after its text) {
  size_t row = 0;
  CAF_CHECK_EQUAL(render_line(narrow(80), "hi", 2, row), "\r\x1b[J> hi\r\x1b[4C");
  CAF_CHECK_EQUAL(row, 0u);
  // The cursor inside the text.
  CAF_CHECK_EQUAL(render_line(narrow(80), "hi", 1, row), "\r\x1b[J> hi\r\x1b[3C");
}

CAF_TEST(a line wider than the terminal wraps and the next drawing starts from its top) {
  size_t row = 0;
  // "> " + 8 characters on 6 columns: rows "> abcd" and "efgh", the cursor at the end.
  auto out = render_line(narrow(6), "abcdefgh", 8, row);
  CAF_CHECK_EQUAL(out, "\r\x1b[J> abcdefgh\r\x1b[4C");
  CAF_CHECK_EQUAL(row, 1u);
  // Drawn again with the cursor on the first row: up one row first, then back up from the end.
  out = render_line(narrow(6), "abcdefgh", 1, row);
  CAF_CHECK_EQUAL(out, "\x1b[1A\r\x1b[J> abcdefgh\x1b[1A\r\x1b[3C");
  CAF_CHECK_EQUAL(row, 0u);
}

CAF_TEST(a row filled to its last column makes the wrap happen before the cursor goes there) {
  size_t row = 0;
  auto out = render_line(narrow(6), "abcd", 4, row);
  CAF_CHECK_EQUAL(out, "\r\x1b[J> abcd\r\n\r");
  CAF_CHECK_EQUAL(row, 1u);
}

CAF_TEST(line breaks show with the continuation prompt) {
  size_t row = 0;
  auto out = render_line(narrow(80), "a\nbc", 1, row);
  CAF_CHECK_EQUAL(out, "\r\x1b[J> a\r\n  bc\x1b[1A\r\x1b[3C");
  CAF_CHECK_EQUAL(row, 0u);
}

CAF_TEST(controls and bidi marks show instead of acting and wide characters take two columns) {
  size_t row = 0;
  auto out = render_line(narrow(80),
                         "a\x1b[2J\xE2\x80\xAE"
                         "b",
                         9, row);
  CAF_CHECK_EQUAL(out, "\r\x1b[J> a^[[2J<U+202E>b\r\x1b[17C");
  CAF_CHECK_EQUAL(columns_of(U'\u4E2D'), 2u);
  CAF_CHECK_EQUAL(columns_of(U'\u0301'), 0u);
  CAF_CHECK_EQUAL(columns_of(U'a'), 1u);
  // "> " + two wide characters = 6 columns: the cursor after them at column 6.
  out = render_line(narrow(80), "\xE4\xB8\xAD\xE6\x96\x87", 6, row);
  CAF_CHECK_EQUAL(out, "\r\x1b[J> \xE4\xB8\xAD\xE6\x96\x87\r\x1b[6C");
}

CAF_TEST(a text taller than the terminal is summed up in one line) {
  size_t row = 0;
  std::string tall;
  for (int i = 0; i < 30; ++i)
    tall += "line\n";
  auto out = render_line(narrow(80, 24), tall, 0, row);
  CAF_CHECK(out.find("[31 lines, 150 bytes") != std::string::npos);
  CAF_CHECK(out.find("line\r\n") == std::string::npos);
  CAF_CHECK_EQUAL(row, 0u);
}

CAF_TEST(finishing a line leaves the cursor below it) {
  size_t row = 1;
  auto out = finish_line(narrow(6), "abcdefgh", row);
  CAF_CHECK_EQUAL(out, "\x1b[1A\r\x1b[J> abcdefgh\r\x1b[4C\r\n");
  CAF_CHECK_EQUAL(row, 0u);
}

CAF_TEST(a stand in spelled in ASCII wraps between its characters as the terminal wraps it) {
  size_t row = 0;
  // Width 10: "> abcdef" then a tab's four spaces: two fit, two wrap; "12" follows them.
  auto out = render_line(narrow(10), "abcdef\t12", 10, row);
  CAF_CHECK_EQUAL(out, "\r\x1b[J> abcdef    12\r\x1b[4C");
  CAF_CHECK_EQUAL(row, 1u);
}
