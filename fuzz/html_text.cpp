// Fuzz target: the HTML reducer and the plain-text cleaner (et/context/html_text), which read
// web pages given with --fetch. The first byte picks the output bound. Invariants:
// deterministic; output within the bound, valid UTF-8, no control byte but tab and newline;
// the title is one line of at most 512 bytes; no text of a <script> element whose content
// holds no '<' survives.

#include <string>

#include "et/context/html_text.hpp"
#include "fuzz_support.hpp"

namespace {

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (n == 0 || i + n > s.size())
      return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
        return false;
    i += n;
  }
  return true;
}

bool no_controls(const std::string& s) {
  for (char c : s)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
      return false;
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = et::fuzz::bytes(data, size);
  size_t bound = et::context::max_page_text;
  if (!input.empty()) {
    bound = 1 + static_cast<unsigned char>(input[0]) * 64;
    input.remove_prefix(1);
  }
  auto page = et::context::html_to_text(input, bound);
  auto again = et::context::html_to_text(input, bound);
  FUZZ_CHECK(page.text == again.text && page.title == again.title, "not deterministic");
  FUZZ_CHECK(page.text.size() <= bound, "text over its bound");
  FUZZ_CHECK(valid_utf8(page.text), "text is not valid UTF-8");
  FUZZ_CHECK(no_controls(page.text), "a control byte in the text");
  FUZZ_CHECK(page.title.size() <= 512, "title over 512 bytes");
  FUZZ_CHECK(page.title.find('\n') == std::string::npos, "title over several lines");
  FUZZ_CHECK(valid_utf8(page.title), "title is not valid UTF-8");
  // A marker inside a script (whose content has no '<') never reaches the text.
  std::string marked = "<p>a</p><script>ZZSCRIPTZZ" + std::string{input} + "</script>b";
  if (std::string{input}.find('<') == std::string::npos)
    FUZZ_CHECK(et::context::html_to_text(marked).text.find("ZZSCRIPTZZ") == std::string::npos,
               "script text leaked");
  auto clean = et::context::clean_text(input, bound);
  FUZZ_CHECK(clean.size() <= bound, "clean text over its bound");
  FUZZ_CHECK(valid_utf8(clean), "clean text is not valid UTF-8");
  FUZZ_CHECK(no_controls(clean), "a control byte in the clean text");
  return 0;
}
