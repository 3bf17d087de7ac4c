#define CAF_SUITE libet.context.html_text
#include "caf/test/unit_test.hpp"

#include <string>

#include "et/context/html_text.hpp"

using namespace et::context;

namespace {

std::string text_of(const std::string& html) {
  return html_to_text(html).text;
}

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size())
      return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
        return false;
    i += n;
  }
  return true;
}

} // namespace

CAF_TEST(scripts styles and the head are dropped and the title kept) {
  auto page = html_to_text("<html><head><title> The  &amp; Title </title><meta charset=utf-8>"
                           "<style>body{color:red}</style><script>var x='</p>';</script></head>"
                           "<body><noscript>enable js</noscript><p>Hello <b>world</b></p>"
                           "<SCRIPT type=x>alert(1)</SCRIPT ><template><p>t</p></template>"
                           "<svg><text>svgtext</text></svg>after</body></html>");
  CAF_CHECK_EQUAL(page.title, "The & Title");
  CAF_CHECK_EQUAL(page.text, "Hello world\n\nafter");
}

CAF_TEST(text in the head is not page text) {
  auto page = html_to_text("<head><meta name=a>HEADJUNK<title>T</title><link rel=x>MOREJUNK"
                           "</head><body>body</body>");
  CAF_CHECK_EQUAL(page.title, "T");
  CAF_CHECK_EQUAL(page.text, "body");
}

CAF_TEST(block elements end lines and inline ones do not ) {
  CAF_CHECK_EQUAL(text_of("<h1>Head</h1><p>one <a href='x'>link</a> two</p><ul><li>a<li>b</ul>"
                          "x<br>y<div>z</div>"),
                  "Head\n\none link two\n\na\nb\n\nx\ny\nz");
  CAF_CHECK_EQUAL(text_of("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"),
                  "a b\nc");
}

CAF_TEST(whitespace collapses except inside pre) {
  CAF_CHECK_EQUAL(text_of("  a \n\t  b   <span> c </span>  "), "a b c");
  CAF_CHECK_EQUAL(text_of("<p>x</p><pre>int  a;\n  b;</pre>"), "x\n\nint  a;\n  b;");
}

CAF_TEST(entities decode and bad ones are safe) {
  CAF_CHECK_EQUAL(text_of("&lt;b&gt; &quot;q&quot; &#39;s&#x27; &copy; &mdash; &nbsp;x"),
                  "<b> \"q\" 's' \xC2\xA9 \xE2\x80\x94 x");
  CAF_CHECK_EQUAL(text_of("&#65;&#x42;&#X43;&#68"), "ABCD");
  // NUL, surrogates, beyond U+10FFFF, huge and C1 numbers become U+FFFD.
  CAF_CHECK_EQUAL(text_of("&#0;&#xD800;&#x110000;&#99999999999999999999;&#x80;"),
                  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CAF_CHECK_EQUAL(text_of("&unknown; &amp &# &#x; AT&T"), "&unknown; &amp &# &#x; AT&T");
  CAF_CHECK_EQUAL(text_of("&lt;script&gt;alert(1)&lt;/script&gt;"), "<script>alert(1)</script>");
}

CAF_TEST(comments declarations and stray brackets) {
  CAF_CHECK_EQUAL(text_of("<!DOCTYPE html><!-- <p>hidden</p> -->a<?xml x?>b < c 1<2 </ d"),
                  "ab < c 1<2 </ d");
  CAF_CHECK_EQUAL(text_of("<p title='a>b'>x</p><p title=\"<script>\">y</p>"), "x\n\ny");
}

CAF_TEST(unterminated constructs end the text instead of looping) {
  CAF_CHECK_EQUAL(text_of("a<!-- never closed <p>b"), "a");
  CAF_CHECK_EQUAL(text_of("a<script>b"), "a");
  CAF_CHECK_EQUAL(text_of("a<p title='x>b"), "a");
  CAF_CHECK_EQUAL(html_to_text("<title>t").title, "t");
  CAF_CHECK_EQUAL(html_to_text("<title><title><title>x</title>y").title, "<title><title>x");
}

CAF_TEST(invalid utf8 becomes replacement characters and controls are dropped) {
  auto text = text_of("a\xC3(b\xFF\xED\xA0\x80\xF4\x90\x80\x80\x01\x7F"
                      "c\xE2\x82");
  CAF_CHECK(valid_utf8(text));
  CAF_CHECK_EQUAL(text, "a\xEF\xBF\xBD(b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                        "c\xEF\xBF\xBD\xEF\xBF\xBD");
  CAF_CHECK_EQUAL(text_of("caf\xC3\xA9 \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  // Overlong forms (a '/' spelt in two and three bytes) are not decoded.
  CAF_CHECK_EQUAL(text_of("\xC0\xAF\xE0\x80\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                                                   "\xEF\xBF\xBD\xEF\xBF\xBD");
}

CAF_TEST(output is bounded and never cuts a utf8 sequence) {
  std::string big;
  for (int i = 0; i < 1000; ++i)
    big += "<p>\xC3\xA9\xC3\xA9 word</p>";
  auto text = html_to_text(big, 101).text;
  CAF_CHECK_LESS_OR_EQUAL(text.size(), 101u);
  CAF_CHECK(valid_utf8(text));
  CAF_CHECK(!text.empty());
  std::string nested(200000, '<');
  CAF_CHECK(valid_utf8(text_of(nested + std::string(200000, 'a'))));
}

CAF_TEST(plain text is cleaned) {
  CAF_CHECK_EQUAL(clean_text("a\r\nb\x01\tc\xFF"), "a\nb\tc\xEF\xBF\xBD");
  CAF_CHECK_EQUAL(clean_text("abcdef", 3), "abc");
}
