#define CAF_SUITE libet.context.chunk
#include "caf/test/unit_test.hpp"

#include <string>

#include "et/context/chunk.hpp"

using namespace et::context;

namespace {

// True when `text` is whole UTF-8 sequences only.
bool valid_utf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > text.size())
      return false;
    for (size_t j = 1; j < n; ++j)
      if ((static_cast<unsigned char>(text[i + j]) & 0xC0) != 0x80)
        return false;
    i += n;
  }
  return true;
}

std::string lines(size_t n, const std::string& prefix = "line ") {
  std::string out;
  for (size_t i = 1; i <= n; ++i)
    out += prefix + std::to_string(i) + "\n";
  return out;
}

} // namespace

CAF_TEST(a short file is one chunk with its path and line range) {
  auto chunks = chunk_text("src/a.cpp", "int a;\nint b;\nint c;");
  CAF_REQUIRE_EQUAL(chunks.size(), 1u);
  CAF_CHECK_EQUAL(chunks[0].path, "src/a.cpp");
  CAF_CHECK_EQUAL(chunks[0].start_line, 1u);
  CAF_CHECK_EQUAL(chunks[0].end_line, 3u);
  CAF_CHECK_EQUAL(chunks[0].text, "int a;\nint b;\nint c;");
}

CAF_TEST(empty and blank files have no chunks) {
  CAF_CHECK(chunk_text("a", "").empty());
  CAF_CHECK(chunk_text("a", "\n\n   \n\t\n").empty());
}

CAF_TEST(chunks hold at most max_lines lines and cover every line in order) {
  auto text = lines(150, "    x");
  auto chunks = chunk_text("a.txt", text, {60, 100000, 8});
  CAF_REQUIRE_EQUAL(chunks.size(), 3u);
  std::string joined;
  size_t next = 1;
  for (const auto& c : chunks) {
    CAF_CHECK_EQUAL(c.start_line, next);
    CAF_CHECK_LESS_OR_EQUAL(c.end_line - c.start_line + 1, 60u);
    next = c.end_line + 1;
    joined += c.text;
  }
  CAF_CHECK_EQUAL(next, 151u);
  CAF_CHECK_EQUAL(joined, text);
}

CAF_TEST(chunks hold at most max_bytes bytes) {
  auto text = lines(100, "  some longer line of text number ");
  for (const auto& c : chunk_text("a.txt", text, {1000, 256, 8}))
    CAF_CHECK_LESS_OR_EQUAL(c.text.size(), 256u);
  CAF_CHECK_GREATER(chunk_text("a.txt", text, {1000, 256, 8}).size(), 10u);
}

CAF_TEST(a function after a blank line starts a new chunk) {
  std::string text = lines(10, "  // preamble ") + "\nint main() {\n  return 0;\n}\n";
  auto chunks = chunk_text("main.cpp", text);
  CAF_REQUIRE_EQUAL(chunks.size(), 2u);
  CAF_CHECK_EQUAL(chunks[0].end_line, 11u); // the preamble and the blank line
  CAF_CHECK_EQUAL(chunks[1].start_line, 12u);
  CAF_CHECK_EQUAL(chunks[1].text.substr(0, 12), "int main() {");
}

CAF_TEST(a boundary does not close a chunk shorter than min_lines) {
  std::string text = "#include <x>\n\nint f();\n\nint g();\n";
  auto chunks = chunk_text("a.cpp", text);
  CAF_REQUIRE_EQUAL(chunks.size(), 1u);
  CAF_CHECK_EQUAL(chunks[0].end_line, 5u);
}

CAF_TEST(indented code and lines without a blank before are no boundary) {
  std::string text = lines(10, "  body ") + "\n  indented();\n" + lines(3, "  more ") + "tail();\n";
  CAF_CHECK_EQUAL(chunk_text("a.cpp", text).size(), 1u);
}

CAF_TEST(markdown headings start sections even without a blank line) {
  std::string text = "# Title\n" + lines(9, "text ") + "## Usage\n" + lines(9, "more ");
  auto chunks = chunk_text("README.md", text);
  CAF_REQUIRE_EQUAL(chunks.size(), 2u);
  CAF_CHECK_EQUAL(chunks[1].start_line, 11u);
  CAF_CHECK_EQUAL(chunks[1].text.substr(0, 8), "## Usage");
  // The same text in a file that is not Markdown: no blank line, no boundary.
  CAF_CHECK_EQUAL(chunk_text("notes.txt", text).size(), 1u);
}

CAF_TEST(a single huge line becomes pieces of that line within the byte limit) {
  std::string huge(10000, 'x');
  std::string text = "first\n" + huge + "\nlast\n";
  auto chunks = chunk_text("min.js", text, {60, 4096, 8});
  CAF_REQUIRE_EQUAL(chunks.size(), 5u); // "first", three pieces of line 2, "last"
  CAF_CHECK_EQUAL(chunks[0].end_line, 1u);
  std::string rebuilt;
  for (size_t i = 1; i <= 3; ++i) {
    CAF_CHECK_EQUAL(chunks[i].start_line, 2u);
    CAF_CHECK_EQUAL(chunks[i].end_line, 2u);
    CAF_CHECK_LESS_OR_EQUAL(chunks[i].text.size(), 4096u);
    rebuilt += chunks[i].text;
  }
  CAF_CHECK_EQUAL(rebuilt, huge + "\n");
  CAF_CHECK_EQUAL(chunks[4].start_line, 3u);
}

CAF_TEST(pieces of a long line never split a UTF - 8 sequence) {
  // "é" is 2 bytes, "€" 3 and "😀" 4: no limit below divides the line evenly.
  std::string line;
  for (int i = 0; i < 500; ++i)
    line += "aé€😀";
  for (size_t limit : {5u, 7u, 64u, 101u, 4096u}) {
    auto chunks = chunk_text("u.txt", line, {60, limit, 8});
    std::string rebuilt;
    for (const auto& c : chunks) {
      CAF_CHECK_LESS_OR_EQUAL(c.text.size(), limit);
      CAF_CHECK(valid_utf8(c.text));
      rebuilt += c.text;
    }
    CAF_CHECK_EQUAL(rebuilt, line);
  }
}

CAF_TEST(chunks of multi byte text cut between lines stay valid UTF - 8) {
  std::string text;
  for (int i = 0; i < 300; ++i)
    text += "ligne número " + std::to_string(i) + " – ça marche €\n";
  auto chunks = chunk_text("fr.txt", text, {60, 512, 8});
  CAF_CHECK_GREATER(chunks.size(), 1u);
  for (const auto& c : chunks)
    CAF_CHECK(valid_utf8(c.text));
}
