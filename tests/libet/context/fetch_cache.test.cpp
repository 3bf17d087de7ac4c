#define CAF_SUITE libet.context.fetch_cache
#include "caf/test/unit_test.hpp"

#include <fstream>
#include <limits>
#include <sys/stat.h>

#include "et/context/fetch_cache.hpp"

#include "temp_dir.hpp"

using namespace et::context;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct fixture : et::test::scratch_dir {
  fixture() : scratch_dir("fetch-cache") {}

  cached_page page(int64_t at) const {
    return {"https://example.com/a", "https://example.com/a", "T", "text of a", at};
  }

  void overwrite(const std::string& bytes) const {
    std::ofstream{cache_file(dir, "https://example.com/a"), std::ios::trunc} << bytes;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(fetch_cache_tests, fixture)

CAF_TEST(a stored page is found within its ttl in a private file) {
  CAF_REQUIRE(store_cached(dir, page(1'000'000)));
  auto got = load_cached(dir, "https://example.com/a", 1'000'000 + 1000, 1h);
  CAF_REQUIRE(got);
  CAF_CHECK_EQUAL(got->text, "text of a");
  CAF_CHECK_EQUAL(got->title, "T");
  CAF_CHECK_EQUAL(got->fetched_ms, 1'000'000);
  struct stat st {};
  CAF_REQUIRE_EQUAL(::stat(cache_file(dir, "https://example.com/a").c_str(), &st), 0);
  CAF_CHECK_EQUAL(st.st_mode & 0777, 0600u);
  CAF_REQUIRE_EQUAL(::stat((dir / "fetch").c_str(), &st), 0);
  CAF_CHECK_EQUAL(st.st_mode & 0777, 0700u);
  CAF_CHECK(!load_cached(dir, "https://example.com/b", 1'000'000, 1h));
}

CAF_TEST(an expired page a page from the future and a zero ttl are not used) {
  CAF_REQUIRE(store_cached(dir, page(1'000'000)));
  CAF_CHECK(load_cached(dir, "https://example.com/a", 1'000'000 + 3'600'000, 1h));
  CAF_CHECK(!load_cached(dir, "https://example.com/a", 1'000'000 + 3'600'001, 1h));
  CAF_CHECK(!load_cached(dir, "https://example.com/a", 999'999, 1h));
  CAF_CHECK(!load_cached(dir, "https://example.com/a", 1'000'000, 0ms));
  // A time before 1970 would make the age overflow and the entry fresh for ever.
  CAF_REQUIRE(store_cached(dir, page(std::numeric_limits<int64_t>::min())));
  CAF_CHECK(!load_cached(dir, "https://example.com/a", 1'000'000, 1h));
}

CAF_TEST(corrupted or foreign entries are ignored and a new store replaces them) {
  CAF_REQUIRE(store_cached(dir, page(1'000'000)));
  for (const char* bad :
       {"", "{", "[]", "null", "{\"key\":\"https://example.com/a\"}",
        "{\"key\":\"https://example.com/OTHER\",\"url\":\"u\",\"title\":\"\",\"text\":\"x\","
        "\"fetched_ms\":1000000}",
        "{\"key\":\"https://example.com/a\",\"url\":\"u\",\"title\":\"\",\"text\":7,"
        "\"fetched_ms\":1000000}",
        "{\"key\":\"https://example.com/a\",\"url\":\"u\",\"title\":\"\",\"text\":\"x\","
        "\"fetched_ms\":\"1000000\"}",
        "\xFF\xFE garbage"}) {
    overwrite(bad);
    CAF_MESSAGE(bad);
    CAF_CHECK(!load_cached(dir, "https://example.com/a", 1'000'000, 1h));
  }
  CAF_REQUIRE(store_cached(dir, page(2'000'000)));
  auto got = load_cached(dir, "https://example.com/a", 2'000'000, 1h);
  CAF_REQUIRE(got);
  CAF_CHECK_EQUAL(got->fetched_ms, 2'000'000);
}

CAF_TEST(a symlink in place of an entry is not followed) {
  auto target = dir / "elsewhere.json";
  CAF_REQUIRE(store_cached(dir, page(1'000'000)));
  auto file = cache_file(dir, "https://example.com/a");
  fs::rename(file, target);
  fs::create_symlink(target, file);
  CAF_CHECK(!load_cached(dir, "https://example.com/a", 1'000'000, 1h));
}

CAF_TEST_FIXTURE_SCOPE_END()
