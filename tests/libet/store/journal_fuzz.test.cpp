#define CAF_SUITE libet.store.journal_fuzz
#include "caf/test/unit_test.hpp"
#include "temp_dir.hpp"

// Journals fuzz/journal crashed on, byte for byte, and hostile ones (a FIFO, a link to a
// device, a million names): what the reader must make of them.

#include <sys/stat.h>

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

CAF_TEST(a journal that is a FIFO or a link to a device is no journal and never hangs) {
  CAF_REQUIRE_EQUAL(::mkfifo((dir / "journal.jsonl").c_str(), 0600), 0);
  auto fifo = store::read_run(dir);
  CAF_REQUIRE(!fifo);
  CAF_CHECK_EQUAL(fifo.error().code, errc::invalid_input);
  CAF_CHECK(fifo.error().message.find("is not a regular file") != std::string::npos);
  fs::remove(dir / "journal.jsonl");
  fs::create_symlink("/dev/zero", dir / "journal.jsonl");
  auto zero = store::read_run(dir);
  CAF_REQUIRE(!zero);
  CAF_CHECK_EQUAL(zero.error().code, errc::invalid_input);
  CAF_CHECK(zero.error().message.find("is a symbolic link") != std::string::npos);
}

CAF_TEST(a subtask s files keep a bound however many names a journal lists) {
  std::string names;
  for (int i = 0; i < 20'000; ++i)
    names += (i ? ",\"f" : "\"f") + std::to_string(i) + "\"";
  auto r = read("{\"event\":\"started\",\"id\":\"r\"}\n"
                "{\"event\":\"planned\",\"subtasks\":[{\"number\":1,\"text\":\"a\"}]}\n"
                "{\"event\":\"files_written\",\"number\":1,\"paths\":["
                + names + "]}\n");
  CAF_REQUIRE(r.has_value());
  CAF_REQUIRE(r->find(1) != nullptr);
  CAF_CHECK_EQUAL(r->find(1)->files.size(), 1000u);
  CAF_CHECK_EQUAL(r->find(1)->files.front(), "f0");
}

CAF_TEST_FIXTURE_SCOPE_END()
