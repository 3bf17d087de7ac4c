#define CAF_SUITE libet.store.journal_fuzz
#include "caf/test/unit_test.hpp"
#include "temp_dir.hpp"

// Journals fuzz/journal crashed on, byte for byte: what the reader must make of them.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "et/store/journal.hpp"

using namespace et;
namespace fs = std::filesystem;

namespace {

struct fixture : et::test::scratch_dir {
  fixture() : scratch_dir("journal-fuzz") {}
  result<store::run_record> read(const std::string& bytes) {
    std::ofstream{dir / "journal.jsonl", std::ios::binary} << bytes;
    return store::read_run(dir);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(journal_fuzz, fixture)

// Casting 1e300 to int64 is undefined (UBSan stopped here); on x86 started_ms read as
// INT64_MIN and max_subtasks as 0. Out-of-range numbers read as missing.
CAF_TEST(numbers past int64 read as missing) {
  auto r =
      read("{\"event\":\"started\",\"id\":\"r\",\"started_ms\":1e300,\"max_subtasks\":1e20}\n");
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->header.id, dir.filename().string()); // the folder's, not the journal's
  CAF_CHECK_EQUAL(r->header.started_ms, 0);
  CAF_CHECK_EQUAL(r->header.max_subtasks, 10);
}

CAF_TEST_FIXTURE_SCOPE_END()
