#define CAF_SUITE libet.context.prompt
#include "caf/test/unit_test.hpp"

#include "et/context/prompt.hpp"

using namespace et::context;

CAF_TEST(each hit is under its source best first) {
  std::vector<hit> hits{{"src/a.cpp", 3, 9, 2.5, "int a;\n"}, {"docs/b.md", 1, 2, 1.0, "# B"}};
  auto block = context_block(hits);
  auto a = block.find(" src/a.cpp:3-9>>>\nint a;\n<<<END ");
  auto b = block.find(" docs/b.md:1-2>>>\n# B\n<<<END ");
  CAF_CHECK(a != std::string::npos);
  CAF_CHECK(b != std::string::npos);
  CAF_CHECK_LESS(a, b);
  CAF_CHECK(block.starts_with("Project context:"));
}

CAF_TEST(hits that do not fit the budget are left out whole) {
  std::vector<hit> hits{{"big", 1, 1, 3, std::string(100, 'x') + "\n"},
                        {"small", 1, 1, 2, "tiny\n"}};
  auto block = context_block(hits, 50);
  CAF_CHECK(block.find(" big:") == std::string::npos);
  CAF_CHECK(block.find(" small:1-1>>>\ntiny\n<<<END ") != std::string::npos);
  CAF_CHECK_EQUAL(context_block(hits, 3), "");
  CAF_CHECK_EQUAL(context_block({}), "");
}

CAF_TEST(excerpts name the sources of exactly the hits in the block) {
  std::vector<hit> hits{{"big", 1, 9, 3, std::string(100, 'x') + "\n"},
                        {"small", 2, 3, 2, "tiny\n"},
                        {"also", 4, 4, 1, "more\n"}};
  auto found = excerpts_of(hits, 50);
  CAF_CHECK_EQUAL(found.sources, (std::vector<std::string>{"small:2-3", "also:4-4"}));
  // The same block but for its random quote marks.
  CAF_CHECK_EQUAL(found.block.size(), context_block(hits, 50).size());
  CAF_CHECK(found.block.find(" small:2-3>>>\ntiny\n") != std::string::npos);
  CAF_CHECK(found.block.find(" also:4-4>>>\nmore\n") != std::string::npos);
  CAF_CHECK(excerpts_of({}).sources.empty());
}

CAF_TEST(the budget follows the context window within bounds) {
  CAF_CHECK_EQUAL(context_budget(std::nullopt), max_context_bytes);
  CAF_CHECK_EQUAL(context_budget(0), max_context_bytes);
  CAF_CHECK_EQUAL(context_budget(-5), max_context_bytes);
  CAF_CHECK_EQUAL(context_budget(1000), 2048u);     // at least 2 KiB
  CAF_CHECK_EQUAL(context_budget(16'000), 8000u);   // an eighth, 4 bytes a token
  CAF_CHECK_EQUAL(context_budget(200'000), 32768u); // at most 32 KiB
  CAF_CHECK_EQUAL(context_budget(INT64_MAX), 32768u);
}
