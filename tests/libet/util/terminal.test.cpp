#define CAF_SUITE libet.util.terminal
#include "caf/test/unit_test.hpp"

#include <sstream>
#include <string>
#include <vector>

#include "et/util/terminal.hpp"

using namespace et;

namespace {

std::string clean(std::string_view s) {
  return sanitize_for_terminal(s);
}

// `text` fed in pieces cut at every byte boundary in turn: the result must not depend on where
// a stream was cut.
bool same_however_cut(const std::string& text) {
  auto whole = clean(text);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    terminal_sanitizer s;
    auto out = s.feed(std::string_view{text}.substr(0, cut));
    out += s.feed(std::string_view{text}.substr(cut));
    out += s.finish();
    if (out != whole) {
      CAF_MESSAGE("differs when cut at " << cut << ": " << out);
      return false;
    }
  }
  // One byte at a time.
  terminal_sanitizer s;
  std::string out;
  for (char c : text)
    out += s.feed(std::string_view{&c, 1});
  out += s.finish();
  return out == whole;
}

bool has_raw_controls(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
      return true;
    // U+0080..U+009F in UTF-8
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0)
      return true;
  }
  return false;
}

} // namespace

CAF_TEST(plain text newlines tabs and utf - 8 pass unchanged) {
  std::string text = "hello\tworld\n\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 {}[]~\n";
  CAF_CHECK_EQUAL(clean(text), text);
  CAF_CHECK_EQUAL(clean(""), "");
}

CAF_TEST(escape sequences are shown in caret notation) {
  // OSC 52 clipboard write, terminated by BEL and by ST.
  CAF_CHECK_EQUAL(clean("\x1b]52;c;ZWNobyBoaQ==\x07"), "^[]52;c;ZWNobyBoaQ==^G");
  CAF_CHECK_EQUAL(clean("\x1b]2;pwned\x1b\\"), "^[]2;pwned^[\\");
  // Screen clear and cursor moves.
  CAF_CHECK_EQUAL(clean("a\x1b[2J\x1b[H\x1b[1A\x1b[2Kb"), "a^[[2J^[[H^[[1A^[[2Kb");
  CAF_CHECK_EQUAL(clean("x\by\x7fz\x00!"), "x^Hy^?z");
  CAF_CHECK_EQUAL(clean(std::string("z\0!", 3)), "z^@!");
}

CAF_TEST(a lone carriage return is shown and crlf becomes lf) {
  CAF_CHECK_EQUAL(clean("safe\rrm -rf /\n"), "safe^Mrm -rf /\n");
  CAF_CHECK_EQUAL(clean("a\r\nb\r\n"), "a\nb\n");
  CAF_CHECK_EQUAL(clean("end\r"), "end^M");
  CAF_CHECK_EQUAL(clean("\r\r\n"), "^M\n");
}

CAF_TEST(c1 controls in utf - 8 are shown as their 7 - bit escape) {
  CAF_CHECK_EQUAL(clean("\xC2\x9B"
                        "2J"),
                  "^[[2J"); // U+009B CSI
  CAF_CHECK_EQUAL(clean("\xC2\x9D"
                        "52;c;x\xC2\x9C"),
                  "^[]52;c;x^[\\");               // OSC ... ST
  CAF_CHECK_EQUAL(clean("\xC2\x85"), "^[E");      // NEL
  CAF_CHECK_EQUAL(clean("\xC2\xA0"), "\xC2\xA0"); // NBSP is printable
}

CAF_TEST(invalid utf - 8 becomes the replacement character) {
  const std::string fffd = "\xEF\xBF\xBD";
  CAF_CHECK_EQUAL(clean("\x9b"
                        "2J"),
                  fffd + "2J");                               // a raw 8-bit CSI
  CAF_CHECK_EQUAL(clean("\xC0\x9B"), fffd + fffd);            // overlong
  CAF_CHECK_EQUAL(clean("\xED\xA0\x80"), fffd + fffd + fffd); // a surrogate
  CAF_CHECK_EQUAL(clean("\xE2\x82"), fffd);                   // truncated at the end
  CAF_CHECK_EQUAL(clean("\xE2\x82x"), fffd + "x");
  CAF_CHECK_EQUAL(clean("\xFF\xFE"), fffd + fffd);
  CAF_CHECK_EQUAL(clean("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd); // beyond U+10FFFF
}

CAF_TEST(bidirectional controls are shown by their code point) {
  // "Trojan Source": U+202E makes the rest of the line display reversed.
  CAF_CHECK_EQUAL(clean("if (admin\xE2\x80\xAE } \xE2\x81\xA6// ok"),
                  "if (admin<U+202E> } <U+2066>// ok");
  CAF_CHECK_EQUAL(clean("\xD8\x9C\xE2\x80\x8F"), "<U+061C><U+200F>");
  // A zero-width joiner builds emoji and is left alone; so is right-to-left text itself.
  std::string family = "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
  CAF_CHECK_EQUAL(clean(family), family);
  CAF_CHECK_EQUAL(clean("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"), "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D");
  CAF_CHECK(same_however_cut("a\xE2\x80\xAE"
                             "b\xE2\x81\xA9"
                             "c"));
}

CAF_TEST(the result is the same wherever a stream is cut) {
  for (const auto& text :
       std::vector<std::string>{"\x1b]52;c;ZWNobyBoaQ==\x07 ok", "a\r\nb\rc",
                                "\xC2\x9B"
                                "2J",
                                "\xE2\x82\xAC\xF0\x9F\x98\x80\xC2\x9D", "\xE2\x82x\xC0\x9B\r",
                                "caf\xC3\xA9\r\n\x1b[31mred\x1b[0m"})
    CAF_CHECK(same_however_cut(text));
}

CAF_TEST(a c1 control split across chunks is still caught) {
  terminal_sanitizer s;
  auto out = s.feed("ok\xC2");
  CAF_CHECK_EQUAL(out, "ok");
  CAF_CHECK(s.holding());
  out += s.feed("\x9B"
                "2J");
  CAF_CHECK_EQUAL(out, "ok^[[2J");
  CAF_CHECK(!has_raw_controls(out));
}

CAF_TEST(nothing raw survives any byte) {
  std::string all;
  for (int c = 0; c < 256; ++c)
    all += static_cast<char>(c);
  for (int c = 0x80; c < 0xA0; ++c)
    all += std::string{"\xC2"} + static_cast<char>(c);
  CAF_CHECK(!has_raw_controls(clean(all)));
}

CAF_TEST(the streambuf sanitises writes and raw bypasses it) {
  std::ostringstream target;
  {
    sanitizing_streambuf buf{target.rdbuf()};
    std::ostream out{&buf};
    out << "a\x1b[2J" << 'b' << '\x07' << "\xC2";
    CAF_CHECK(&unsanitized(out) == &buf.raw());
    unsanitized(out) << "\x1b]2;title\x1b\\";
    out << "\x9B" << std::flush;
    out << "\xE2";
  } // the truncated sequence comes out as U+FFFD at the end
  CAF_CHECK_EQUAL(target.str(), "a^[[2Jb^G\x1b]2;title\x1b\\^[[\xEF\xBF\xBD");
  std::ostringstream plain;
  CAF_CHECK(&unsanitized(plain) == &plain);
}
