#define CAF_SUITE libet.context.web_context
#include "caf/test/unit_test.hpp"

#include "et/context/web_context.hpp"

using namespace et::context;

namespace {

std::string lines(const std::string& word, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += word + " filler text line " + std::to_string(i) + "\n\n";
  return out;
}

} // namespace

CAF_TEST(the chunk that matches the task ranks first under its url and lines) {
  std::vector<fetched_page> pages{{"https://a.example/x", "A",
                                   lines("alpha", 40) + "the zeppelin manual\n" + lines("beta", 40),
                                   false},
                                  {"https://b.example/y", "B", "nothing here\n", false}};
  auto hits = rank_pages(pages, "how to land a zeppelin");
  CAF_REQUIRE(!hits.empty());
  CAF_CHECK_EQUAL(hits[0].path, "https://a.example/x");
  CAF_CHECK(hits[0].text.find("zeppelin") != std::string::npos);
  CAF_CHECK_GREATER(hits[0].score, 0.0);
  CAF_CHECK_LESS_OR_EQUAL(hits.size(), web_hits);
  auto block = web_block(hits);
  CAF_CHECK(block.starts_with("Web context:"));
  CAF_CHECK(block.find(" https://a.example/x:" + std::to_string(hits[0].start_line) + "-"
                       + std::to_string(hits[0].end_line) + ">>>\n")
            != std::string::npos);
}

CAF_TEST(pages matching no word still give their first chunks in page order) {
  std::vector<fetched_page> pages{{"https://a.example/", "", "first page\n", false},
                                  {"https://b.example/", "", "second page\n", false}};
  auto hits = rank_pages(pages, "unrelated");
  CAF_REQUIRE_EQUAL(hits.size(), 2u);
  CAF_CHECK_EQUAL(hits[0].path, "https://a.example/");
  CAF_CHECK_EQUAL(hits[1].path, "https://b.example/");
  CAF_CHECK(rank_pages({}, "x").empty());
  CAF_CHECK_EQUAL(web_block({}), "");
}
