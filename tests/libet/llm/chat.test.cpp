#define CAF_SUITE libet.llm.chat
#include "caf/test/unit_test.hpp"

#include "et/llm/chat.hpp"

using namespace et;

namespace {

std::vector<chunk> joined(std::vector<chunk> pieces) {
  coalesce(pieces);
  return pieces;
}

} // namespace

CAF_TEST(pieces that came together go on as one) {
  CAF_CHECK(joined({}).empty());
  CAF_CHECK_EQUAL(joined({{"a", ""}}), (std::vector<chunk>{{"a", ""}}));
  CAF_CHECK_EQUAL(joined({{"hello", ""}, {" bench", ""}, {"!", ""}}),
                  (std::vector<chunk>{{"hello bench!", ""}}));
  CAF_CHECK_EQUAL(joined({{"", "think "}, {"", "more"}, {"an", ""}, {"swer", ""}}),
                  (std::vector<chunk>{{"answer", "think more"}}));
  CAF_CHECK_EQUAL(joined({{"", ""}, {"x", ""}}), (std::vector<chunk>{{"x", ""}}));
}

CAF_TEST(thinking after text starts a new piece so nothing changes order) {
  CAF_CHECK_EQUAL(joined({{"one", ""}, {"", "then think"}, {"", " on"}, {"two", ""}}),
                  (std::vector<chunk>{{"one", ""}, {"two", "then think on"}}));
  CAF_CHECK_EQUAL(joined({{"a", "r1"}, {"b", "r2"}, {"c", ""}}),
                  (std::vector<chunk>{{"a", "r1"}, {"bc", "r2"}}));
}

CAF_TEST(a signature ends its thinking and a redacted block stays alone) {
  auto signed_by = [](std::string text, std::string reasoning, std::string signature) {
    return chunk{std::move(text), std::move(reasoning), std::move(signature), {}};
  };
  // Thinking, its signature and the text after it make one piece in that order.
  CAF_CHECK_EQUAL(joined({{"", "hm"}, signed_by("", "", "s1"), {"ok", ""}}),
                  (std::vector<chunk>{signed_by("ok", "hm", "s1")}));
  // Thinking after a signature is a new block: a new piece.
  CAF_CHECK_EQUAL(joined({signed_by("", "a", "s1"), {"", "b"}, signed_by("", "", "s2")}),
                  (std::vector<chunk>{signed_by("", "a", "s1"), signed_by("", "b", "s2")}));
  // The parts of one signature join.
  CAF_CHECK_EQUAL(joined({signed_by("", "a", "s"), signed_by("", "", "1")}),
                  (std::vector<chunk>{signed_by("", "a", "s1")}));
  chunk redacted{"", "", "", "DATA"};
  CAF_CHECK_EQUAL(joined({{"", "a"}, redacted, {"x", ""}}),
                  (std::vector<chunk>{{"", "a"}, redacted, {"x", ""}}));
}
