#define CAF_SUITE libet.chat.line_editor
#include "caf/test/unit_test.hpp"

#include <vector>

#include "et/chat/line_editor.hpp"

using namespace et::chat;

namespace {

// Feeds `bytes`; returns the events other than none, in order.
std::vector<edit_event> type(line_editor& ed, std::string_view bytes) {
  std::vector<edit_event> events;
  for (char c : bytes)
    if (auto e = ed.feed(c); e != edit_event::none)
      events.push_back(e);
  return events;
}

bool has(const std::vector<edit_event>& events, edit_event e) {
  for (auto x : events)
    if (x == e)
      return true;
  return false;
}

const std::string paste_start = "\x1b[200~";
const std::string paste_end = "\x1b[201~";

} // namespace

CAF_TEST(typed text and Enter submit one line) {
  line_editor ed;
  auto events = type(ed, "hello\r");
  CAF_CHECK(events.back() == edit_event::submit);
  CAF_CHECK_EQUAL(ed.take(), "hello");
  CAF_CHECK(type(ed, "typed ahead\n").back() == edit_event::submit); // LF is Enter too
  CAF_CHECK_EQUAL(ed.take(), "typed ahead");
  CAF_CHECK(ed.text().empty());
  CAF_CHECK_EQUAL(ed.cursor(), 0u);
}

CAF_TEST(a pasted block is one question whatever it holds) {
  line_editor ed;
  // Terminals paste line breaks as CR; a CR LF is one break. Inside the paste an Enter, a
  // Ctrl-C, an arrow key and a Ctrl-D are text or dropped, never acted on.
  auto events = type(ed, "explain: " + paste_start + "int main() {\r\n  return 0;\r}\x03\x1b[A\x04"
                             + paste_end);
  CAF_CHECK(!has(events, edit_event::submit));
  CAF_CHECK(!has(events, edit_event::cancel));
  CAF_CHECK(!has(events, edit_event::end));
  CAF_CHECK(!ed.pasting());
  CAF_CHECK_EQUAL(ed.text(), "explain: int main() {\n  return 0;\n}[A");
  CAF_CHECK(type(ed, "\r").back() == edit_event::submit);
}

CAF_TEST(a paste end marker cut between reads or nearly matched still ends the paste) {
  line_editor ed;
  type(ed, paste_start + "a\x1b[20");
  CAF_CHECK(ed.pasting());
  type(ed, "1~b");
  CAF_CHECK(!ed.pasting());
  CAF_CHECK_EQUAL(ed.text(), "ab");
  line_editor near;
  type(near, paste_start + "x\x1b[2\x1b[201~y");
  CAF_CHECK(!near.pasting());
  CAF_CHECK_EQUAL(near.text(), "x[2y");
}

CAF_TEST(a paste past the bound is cut and said once) {
  line_editor ed{8};
  auto events = type(ed, paste_start + "0123456789abcdef" + paste_end);
  CAF_CHECK_EQUAL(ed.text(), "01234567");
  size_t said = 0;
  for (auto e : events)
    said += e == edit_event::too_long;
  CAF_CHECK_EQUAL(said, 1u);
  CAF_CHECK(!ed.pasting());
}

CAF_TEST(multi byte characters go in whole and backspace takes one whole) {
  line_editor ed;
  type(ed, "caf\xC3\xA9 \xE2\x82\xAC");
  CAF_CHECK_EQUAL(ed.text(), "caf\xC3\xA9 \xE2\x82\xAC");
  type(ed, "\x7f");
  CAF_CHECK_EQUAL(ed.text(), "caf\xC3\xA9 ");
  type(ed, "\x7f\x7f");
  CAF_CHECK_EQUAL(ed.text(), "caf");
  // Bytes that are not UTF-8 never reach the line: a stray continuation, a cut sequence,
  // an overlong form.
  type(ed, "\x80"
           "x\xE2\x82"
           "y\xC0\xAF");
  CAF_CHECK_EQUAL(ed.text(), "cafxy");
}

CAF_TEST(the cursor moves and text goes in where it stands) {
  line_editor ed;
  type(ed, "world");
  type(ed, "\x01"); // Ctrl-A
  type(ed, "hello ");
  CAF_CHECK_EQUAL(ed.text(), "hello world");
  type(ed, "\x1b[F\x1b[D\x1b[D"); // End, Left, Left
  CAF_CHECK_EQUAL(ed.cursor(), 9u);
  type(ed, "\x1b[3~"); // Delete
  CAF_CHECK_EQUAL(ed.text(), "hello word");
  type(ed, "\x1b[1;5D"); // Ctrl-Left: the start of the word
  CAF_CHECK_EQUAL(ed.cursor(), 6u);
  type(ed, "\x0b"); // Ctrl-K
  CAF_CHECK_EQUAL(ed.text(), "hello ");
  type(ed, "\x17"); // Ctrl-W
  CAF_CHECK_EQUAL(ed.text(), "");
  type(ed, "one two\x15"); // Ctrl-U
  CAF_CHECK_EQUAL(ed.text(), "");
}

CAF_TEST(Ctrl C drops a line and ends an empty one and Ctrl D ends an empty one) {
  line_editor ed;
  auto events = type(ed, "draft\x03");
  CAF_CHECK(events.back() == edit_event::cancel);
  CAF_CHECK(ed.text().empty());
  CAF_CHECK(type(ed, "\x03").back() == edit_event::interrupt);
  type(ed, "ab\x01\x04"); // Ctrl-D on text deletes under the cursor
  CAF_CHECK_EQUAL(ed.text(), "b");
  type(ed, "\x04");
  CAF_CHECK(type(ed, "\x04").back() == edit_event::end);
}

CAF_TEST(Alt Enter and a backslash before Enter break the line and Up and Down move in it) {
  line_editor ed;
  auto events = type(ed, "first\x1b\rsecond line\\\rthird");
  CAF_CHECK(!has(events, edit_event::submit));
  CAF_CHECK_EQUAL(ed.text(), "first\nsecond line\nthird");
  type(ed, "\x1b[A"); // Up: same column on the line above
  CAF_CHECK_EQUAL(ed.cursor(), 6u + 5u);
  type(ed, "\x1b[A"); // Up again: column 5 clamped to "first"'s end
  CAF_CHECK_EQUAL(ed.cursor(), 5u);
  type(ed, "\x1b[B\x1b[B"); // back down to the last line
  CAF_CHECK_EQUAL(ed.cursor(), ed.text().size());
}

CAF_TEST(Up and Down browse the history and keep the draft) {
  line_editor ed;
  type(ed, "one\r");
  ed.take();
  type(ed, "two\r");
  ed.take();
  type(ed, "dra");
  type(ed, "\x1b[A");
  CAF_CHECK_EQUAL(ed.text(), "two");
  type(ed, "\x1bOA"); // the SS3 form some terminals send
  CAF_CHECK_EQUAL(ed.text(), "one");
  type(ed, "\x1b[A"); // nothing older
  CAF_CHECK_EQUAL(ed.text(), "one");
  type(ed, "\x1b[B\x1b[B");
  CAF_CHECK_EQUAL(ed.text(), "dra");
  CAF_CHECK_EQUAL(ed.history().size(), 2u);
}

CAF_TEST(the history keeps its bound by forgetting the oldest) {
  line_editor ed{100, 20};
  std::string big(11, 'x');
  for (char c : {'a', 'b', 'c'}) {
    big[0] = c;
    type(ed, big + "\r");
    ed.take();
  }
  CAF_REQUIRE_EQUAL(ed.history().size(), 1u);
  CAF_CHECK_EQUAL(ed.history().front()[0], 'c');
}

CAF_TEST(an escape sequence without end is dropped at its bound and typing goes on) {
  line_editor ed;
  type(ed, "\x1b[" + std::string(100, '1') + "ok");
  // The sequence was given up at 32 bytes; what followed is keys again.
  CAF_CHECK(ed.text().find("ok") != std::string::npos);
  CAF_CHECK(ed.text().size() < 100);
  line_editor other;
  type(other, "\x1b[12\x03");
  CAF_CHECK(type(other, "\x03").back() == edit_event::interrupt);
}

CAF_TEST(a lone Esc does not swallow the control key after it) {
  line_editor ed;
  type(ed, "draft");
  CAF_CHECK(type(ed, "\x1b\x03").back() == edit_event::cancel);
  CAF_CHECK(type(ed, "\x1bO\x04").back() == edit_event::end);
}
