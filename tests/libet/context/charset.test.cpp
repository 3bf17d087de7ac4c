#define CAF_SUITE libet.context.charset
#include "caf/test/unit_test.hpp"

#include "et/context/charset.hpp"

using namespace et::context;

CAF_TEST(the charset comes from the bom then the header then a meta tag) {
  CAF_CHECK_EQUAL(declared_charset("text/html; charset=\"Shift_JIS\"", "", true), "shift_jis");
  CAF_CHECK_EQUAL(declared_charset("text/html", "\xEF\xBB\xBFx", true), "utf-8");
  CAF_CHECK_EQUAL(declared_charset("text/plain; charset=latin1", "\xFF\xFEx", false), "utf-16le");
  CAF_CHECK_EQUAL(declared_charset("text/html", "<html><meta charset='EUC-JP'>", true), "euc-jp");
  CAF_CHECK_EQUAL(declared_charset("text/html",
                                   "<meta http-equiv=\"Content-Type\" "
                                   "content=\"text/html; charset=windows-1251\">",
                                   true),
                  "windows-1251");
  // A meta tag says nothing of plain text, nor past the first 1024 bytes of a page.
  CAF_CHECK_EQUAL(declared_charset("text/plain", "<meta charset=koi8-r>", false), "");
  // A meta tag that could be read was not written in UTF-16.
  CAF_CHECK_EQUAL(declared_charset("text/html", "<meta charset=utf-16le>", true), "");
  CAF_CHECK_EQUAL(
      declared_charset("text/html", std::string(1100, ' ') + "<meta charset=koi8-r>", true), "");
}

CAF_TEST(web charsets decode to utf8 and latin1 reads as windows 1252) {
  CAF_CHECK_EQUAL(to_utf8("caf\xE9", "iso-8859-1"), "caf\xC3\xA9");
  CAF_CHECK_EQUAL(to_utf8("\x93quoted\x94", "ISO-8859-1"), "\xE2\x80\x9Cquoted\xE2\x80\x9D");
  CAF_CHECK_EQUAL(to_utf8("\xC1\xC2", "koi8-r"), "\xD0\xB0\xD0\xB1"); // аб
  CAF_CHECK_EQUAL(to_utf8(std::string{"\xFF\xFEh\0i\0", 6}, "utf-16le"), "hi");
  CAF_CHECK_EQUAL(to_utf8("\x87\x40", "shift_jis"), "\xE2\x91\xA0"); // CP932's circled 1
}

CAF_TEST(a byte order mark outranks the label and goes) {
  CAF_CHECK_EQUAL(to_utf8("\xEF\xBB\xBF"
                          "caf\xC3\xA9",
                          "iso-8859-1"),
                  "caf\xC3\xA9");
  CAF_CHECK_EQUAL(to_utf8(std::string{"\xFE\xFF\0h", 4}, "windows-1252"), "h");
}

CAF_TEST(utf8 unknown and unlisted charsets leave the body as it is) {
  for (auto label : {"utf-8", "", "x-unknown", "iso-2022-cn-ext", "utf-7"})
    CAF_CHECK_EQUAL(to_utf8("caf\xE9", label), "caf\xE9");
}

CAF_TEST(a byte that does not decode becomes a replacement character) {
  // 0x81 is undefined in windows-1252; a Shift_JIS lead byte cut at the end.
  CAF_CHECK_EQUAL(to_utf8("a\x81z", "windows-1252"), "a\xEF\xBF\xBDz");
  CAF_CHECK_EQUAL(to_utf8("a\x82", "shift_jis"), "a\xEF\xBF\xBD");
  // A lone surrogate in UTF-16 is one unit: what follows is read in step.
  CAF_CHECK_EQUAL(to_utf8(std::string{"a\0\x00\xDCo\0k\0", 8}, "utf-16le"), "a\xEF\xBF\xBDok");
}
