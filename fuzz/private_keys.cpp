// Fuzz target: finding private keys in project files (et/context/private_keys.cpp), which reads
// every file a project holds. Invariants: deterministic; a key found stays found when more
// text follows (the look is forward only, bounded to its window).

#include <string>

#include "et/context/files.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = et::fuzz::bytes(data, size);
  bool found = et::context::holds_private_key(text);
  FUZZ_CHECK(found == et::context::holds_private_key(text), "the verdict is not deterministic");
  if (found)
    FUZZ_CHECK(et::context::holds_private_key(std::string{text} + "\n~~~~"),
               "text after a key hid it");
  return 0;
}
