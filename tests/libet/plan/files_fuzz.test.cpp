#define CAF_SUITE libet.plan.files_fuzz
#include "caf/test/unit_test.hpp"

// Answers fuzz/file_blocks broke an invariant with, byte for byte.

#include <string>

#include "et/plan/files.hpp"

using namespace et::plan;

// A lone "\r" is no line end for the parser, so the path token ran on past it: the first block
// below named a file "src/main.~\rint" (a control character in a file name). Paths holding
// control characters are now no paths.
CAF_TEST(a path with a control character is no path) {
  std::string text{"```file path=src/main.~\rint kain() {}\n```\x0bsswd## File: "
                   "../etc\xbc``file*patji=sr```sh\nma\xeb"
                   "e\n[\n````\n\n```pytqth8C%:\\x.p/abs/x",
                   119};
  auto blocks = parse_file_blocks(text);
  for (const auto& b : blocks)
    CAF_CHECK_EQUAL(b.path.find('\r'), std::string::npos);
  // A label line naming a path with an escape sequence in it.
  CAF_CHECK(parse_file_blocks("### File: a\x1b[31m.c\n```\nx\n```\n").empty());
  // A clean path still works.
  auto ok = parse_file_blocks("```file path=src/main.c\nint main() {}\n```\n");
  CAF_REQUIRE_EQUAL(ok.size(), 1u);
  CAF_CHECK_EQUAL(ok[0].path, "src/main.c");
}
