// Fuzz target: reading a reviewer's score (et/plan/score). Invariants: a score read is finite
// and within the scale, on the default scale and on 0..100; deterministic; the note is trimmed
// and never longer than the review.

#include <cmath>

#include "et/plan/score.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto review = et::fuzz::bytes(data, size);
  for (double scale : {10.0, 100.0}) {
    auto s = et::plan::parse_score(review, scale);
    auto again = et::plan::parse_score(review, scale);
    FUZZ_CHECK(s.has_value() == again.has_value(), "parsing is not deterministic");
    if (s) {
      FUZZ_CHECK(std::isfinite(*s) && *s >= 0 && *s <= scale, "a score outside the scale");
      FUZZ_CHECK(*s == *again, "parsing is not deterministic");
    }
  }
  auto note = et::plan::review_note(review);
  FUZZ_CHECK(note == et::plan::review_note(review), "the note is not deterministic");
  FUZZ_CHECK(note.size() <= review.size(), "the note grew");
  return 0;
}
