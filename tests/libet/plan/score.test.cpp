#define CAF_SUITE libet.plan.score
#include "caf/test/unit_test.hpp"

#include <string>

#include "et/plan/score.hpp"

using namespace et::plan;

namespace {

double score_of(std::string_view review, double scale = 10) {
  auto r = parse_score(review, scale);
  if (!r)
    CAF_FAIL("no score: " << r.error().message);
  return *r;
}

bool fails(std::string_view review, double scale = 10) {
  auto r = parse_score(review, scale);
  return !r && r.error().code == et::errc::invalid_input;
}

} // namespace

CAF_TEST(a bold label with a plain number is read) {
  CAF_CHECK_EQUAL(score_of("The parser handles every case.\n\n**SCORE:** 7\n"), 7.0);
}

CAF_TEST(a score with a denominator of the scale is read) {
  CAF_CHECK_EQUAL(score_of("Score: 7/10"), 7.0);
  CAF_CHECK_EQUAL(score_of("Rating: 8 out of 10"), 8.0);
  CAF_CHECK_EQUAL(score_of("**Score: 9 / 10**"), 9.0);
}

CAF_TEST(an equals sign and decimals are read) {
  CAF_CHECK_EQUAL(score_of("score = 7.5"), 7.5);
  CAF_CHECK_EQUAL(score_of("_Score_: *9.5*"), 9.5);
}

CAF_TEST(another denominator is rescaled to the scale) {
  CAF_CHECK_EQUAL(score_of("SCORE: 85/100"), 8.5);
  CAF_CHECK_EQUAL(score_of("Score: 85%"), 8.5);
  CAF_CHECK_EQUAL(score_of("Score: 4/5"), 8.0);
  CAF_CHECK_EQUAL(score_of("Score: 7/10", 100), 70.0);
}

CAF_TEST(a number alone on a line counts when nothing is labelled) {
  CAF_CHECK_EQUAL(score_of("Solid work, minor naming issues.\n\n7.5\n"), 7.5);
  CAF_CHECK_EQUAL(score_of("Good.\n**8/10**\n"), 8.0);
}

CAF_TEST(a labelled score beats stray numbers) {
  auto review = R"(The implementation covers 3 of the 4 endpoints.
Tests: 12 pass, 2 fail.

9

Final score: 6
)";
  CAF_CHECK_EQUAL(score_of(review), 6.0);
}

CAF_TEST(a label starting a line beats a label inside a sentence) {
  auto review = "SCORE: 4\n\nOverall I would give it a score of 8 if the tests passed.\n";
  CAF_CHECK_EQUAL(score_of(review), 4.0);
}

CAF_TEST(a label inside a sentence is read when it is the only one) {
  CAF_CHECK_EQUAL(score_of("Overall I would give this a score of 8 since tests pass."), 8.0);
}

CAF_TEST(the last of several score lines wins) {
  CAF_CHECK_EQUAL(score_of("Score: 5\n\nAfter rereading the tests:\n\nScore: 7\n"), 7.0);
}

CAF_TEST(a parenthesised range after the label is skipped) {
  CAF_CHECK_EQUAL(score_of("Final score (0-10): 6"), 6.0);
  CAF_CHECK_EQUAL(score_of("Rating - 7."), 7.0);
}

CAF_TEST(a score heading with the number below it is read) {
  CAF_CHECK_EQUAL(score_of("The code compiles.\n\n## Score\n\n**6**\n\nFix the tests.\n"), 6.0);
}

CAF_TEST(scores inside code fences are ignored) {
  CAF_CHECK_EQUAL(score_of("```\nscore: 10\n```\nScore: 3\n"), 3.0);
  CAF_CHECK(fails("```json\n{\"score\": 10}\n```\n"));
}

CAF_TEST(a review without a score fails) {
  CAF_CHECK(fails("Looks good to me, ship it!"));
  CAF_CHECK(fails(""));
  CAF_CHECK(fails("I would give this 9."));
}

CAF_TEST(a label without a number fails even with stray numbers around) {
  CAF_CHECK(fails("Score: N/A\n\n7\n"));
  CAF_CHECK(fails("## Score\nPending review of 2 files.\n"));
}

CAF_TEST(a score outside the scale fails) {
  CAF_CHECK(fails("Score: 11"));
  CAF_CHECK(fails("Score: 85"));
  CAF_CHECK(fails("Score: -2"));
  CAF_CHECK(fails("Score: 12/10"));
  CAF_CHECK(fails("Score: 7/0"));
  CAF_CHECK(fails("Score: 6", 5));
}

CAF_TEST(the note leaves out the score line) {
  auto review = "The parser is solid.\n\n**SCORE:** 7\n\nRename `tmp` to `buffer`.\n";
  CAF_CHECK_EQUAL(review_note(review), "The parser is solid.\n\nRename `tmp` to `buffer`.");
}

CAF_TEST(the note keeps text after the score on the same line) {
  auto review = "**Score: 6/10** \xE2\x80\x94 tests are _missing_.\nAlso 3 files lack headers.";
  CAF_CHECK_EQUAL(review_note(review), "tests are _missing_.\nAlso 3 files lack headers.");
}

CAF_TEST(the note leaves out a score heading and its number) {
  auto review = "The code compiles.\n\n## Score\n\n**6**\n\nFix the tests.\n";
  CAF_CHECK_EQUAL(review_note(review), "The code compiles.\n\nFix the tests.");
}

CAF_TEST(the note keeps a sentence that mentions the score) {
  auto review = "Overall I would give it a score of 8 since tests pass.";
  CAF_CHECK_EQUAL(review_note(review), review);
}

CAF_TEST(the note of a review without a score is the trimmed review) {
  CAF_CHECK_EQUAL(review_note("\n  Needs work.\n\n"), "Needs work.");
}

CAF_TEST(crlf reviews are read) {
  CAF_CHECK_EQUAL(score_of("Fine.\r\nSCORE: 8\r\n"), 8.0);
  CAF_CHECK_EQUAL(review_note("Fine.\r\nSCORE: 8\r\n"), "Fine.");
}
