// Fuzz target: the verify-output location parser (et/plan/locations). The known paths are a
// fixed project plus, when the input holds a '\x01', the lines before it. Invariants:
// deterministic; every result is a known path, each at most once; no output names nothing.

#include <algorithm>
#include <string>
#include <vector>

#include "et/plan/locations.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = et::fuzz::bytes(data, size);
  std::vector<std::string> known{"src/main.cpp", "src/a.cpp",       "a/b/c.cpp", "b/c.cpp",
                                 "x.py",         "tests/test_x.py", "app.js",    "lib/x.ts",
                                 "main.rs",      "README.md",       "a.cpp",     "Makefile"};
  auto output = input;
  if (auto cut = input.find('\x01'); cut != std::string_view::npos) {
    output = input.substr(cut + 1);
    auto list = input.substr(0, cut);
    for (size_t pos = 0; pos <= list.size();) {
      auto end = list.find('\n', pos);
      known.emplace_back(list.substr(pos, end == std::string_view::npos ? end : end - pos));
      if (end == std::string_view::npos)
        break;
      pos = end + 1;
    }
  }
  auto found = et::plan::files_in_output(output, known);
  FUZZ_CHECK(found == et::plan::files_in_output(output, known), "parsing is not deterministic");
  for (size_t i = 0; i < found.size(); ++i) {
    FUZZ_CHECK(std::find(known.begin(), known.end(), found[i]) != known.end(),
               "a path that is not known");
    FUZZ_CHECK(std::find(found.begin() + static_cast<std::ptrdiff_t>(i) + 1, found.end(), found[i])
                   == found.end(),
               "a path named twice");
  }
  if (output.empty())
    FUZZ_CHECK(found.empty(), "empty output names a file");
  return 0;
}
