#pragma once
/// Reading the score out of a reviewer's answer, and the note that goes back
/// to the worker with it.
///
/// A labelled score wins over stray numbers: `SCORE: 7`, `**Score:** 7/10`, `score = 7.5`,
/// `Rating: 8 out of 10`, `Final score (0-10): 6`, `Score: 85%`, or a `## Score` heading
/// with the number on the next line. A line that starts with the label beats a label in the
/// middle of a sentence, and the last of equals wins (reviewers end with the verdict). Only
/// when no line has a label does a number alone on a line (`7.5`, `**8/10**`) count. A
/// denominator rescales (`85/100` is 8.5 on a 0..10 scale). Lines in code fences are ignored.

#include <string>
#include <string_view>

#include "et/util/result.hpp"

namespace et::plan {

/// The score of `review` on a 0..`scale_max` scale. No score, a label without a number, a
/// zero denominator or a score outside the scale is an `errc::invalid_input` failure: a
/// review that cannot be read never passes.
result<double> parse_score(std::string_view review, double scale_max = 10);

/// `review` without the line(s) its score was read from (text after the score on the same
/// line, such as "— tests are missing", is kept), trimmed and without doubled blank lines.
/// A label in the middle of a sentence is left alone. Without a score, the trimmed review.
std::string review_note(std::string_view review);

} // namespace et::plan
