#define CAF_SUITE libet.store.journal_private
#include "caf/test/unit_test.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "et/store/journal.hpp"
#include "et/store/ledger_store.hpp"
#include "et/store/run_lock.hpp"
#include "et/util/private_files.hpp"

using namespace et;
namespace fs = std::filesystem;

// Run folders, journals, outputs and the ledger are private (0700/0600), a loose run made by
// an older et is tightened when resumed, temporary names are unique, and run ids never
// collide.

namespace {

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0)
    return 01000000; // shows up as "missing" in a failed check
  return st.st_mode & 07777;
}

store::run_header header(std::string id) {
  store::run_header h;
  h.id = std::move(id);
  h.started_ms = 1'700'000'000'000;
  h.task = "t";
  return h;
}

store::subtask_record done(int number) {
  store::subtask_record s;
  s.number = number;
  s.state = store::subtask_state::done;
  s.output = "answer";
  return s;
}

// Widens the umask for a test: nothing et makes may get wider for it.
struct umask_zero {
  mode_t old = ::umask(0);
  ~umask_zero() { ::umask(old); }
};

struct fixture : et::test::scratch_dir {
  fs::path runs;
  umask_zero wide;

  fixture() : scratch_dir("private") { runs = dir / "state" / "runs"; }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(journal_private_tests, fixture)

CAF_TEST(a new run is private even with umask 0) {
  auto w = store::journal_writer::create(runs, header("r1"));
  CAF_REQUIRE(w);
  CAF_REQUIRE(w->subtask_finished(done(1)));
  CAF_REQUIRE(w->final_output("final"));
  CAF_CHECK_EQUAL(mode_of(dir / "state"), 0700u);
  CAF_CHECK_EQUAL(mode_of(runs), 0700u);
  CAF_CHECK_EQUAL(mode_of(runs / "r1"), 0700u);
  CAF_CHECK_EQUAL(mode_of(runs / "r1" / "journal.jsonl"), 0600u);
  CAF_CHECK_EQUAL(mode_of(runs / "r1" / "outputs"), 0700u);
  CAF_CHECK_EQUAL(mode_of(runs / "r1" / "outputs" / "subtask-01.md"), 0600u);
  CAF_CHECK_EQUAL(mode_of(runs / "r1" / "outputs" / "result.md"), 0600u);
}

CAF_TEST(resuming a loose run made by an older et tightens it and drops stale temporaries) {
  {
    auto w = store::journal_writer::create(runs, header("r1"));
    CAF_REQUIRE(w);
    CAF_REQUIRE(w->subtask_finished(done(1)));
  }
  auto run = runs / "r1";
  fs::permissions(runs, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read
                            | fs::perms::group_exec | fs::perms::others_exec);
  fs::permissions(run, fs::perms(0755));
  fs::permissions(run / "journal.jsonl", fs::perms(0644));
  fs::permissions(run / "outputs", fs::perms(0755));
  fs::permissions(run / "outputs" / "subtask-01.md", fs::perms(0644));
  // What a crash between create and rename leaves behind, from a process that is gone; and a
  // file with a similar name that is not et's.
  auto stale = run / "outputs" / "result.md.et-999999999-0123456789abcdef.tmp";
  auto other = run / "outputs" / "notes.tmp";
  std::ofstream{stale} << "half";
  std::ofstream{other} << "mine";
  auto again = store::journal_writer::reopen(run);
  CAF_REQUIRE(again);
  CAF_CHECK_EQUAL(mode_of(run), 0700u);
  CAF_CHECK_EQUAL(mode_of(run / "journal.jsonl"), 0600u);
  CAF_CHECK_EQUAL(mode_of(run / "outputs"), 0700u);
  CAF_CHECK_EQUAL(mode_of(run / "outputs" / "subtask-01.md"), 0600u);
  CAF_CHECK(!fs::exists(stale));
  CAF_CHECK(fs::exists(other));
  // Another run's folder is also made private when a new run is created next to it.
  CAF_REQUIRE(store::journal_writer::create(runs, header("r2")));
  CAF_CHECK_EQUAL(mode_of(runs), 0700u);
}

CAF_TEST(outputs are written through unique temporary names) {
  auto w = store::journal_writer::create(runs, header("r1"));
  CAF_REQUIRE(w);
  // A file squatting on the old fixed temporary name (result.md.tmp) neither blocks the write
  // nor is followed: the write uses a fresh name created with O_EXCL.
  fs::create_directories(runs / "r1" / "outputs");
  fs::create_symlink(dir / "elsewhere.txt", runs / "r1" / "outputs" / "result.md.tmp");
  CAF_REQUIRE(w->final_output("final"));
  CAF_CHECK(!fs::exists(dir / "elsewhere.txt"));
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator{runs / "r1" / "outputs"})
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CAF_CHECK_EQUAL(names, (std::vector<std::string>{"result.md", "result.md.tmp"}));
}

CAF_TEST(a run id that is taken is replaced by a fresh one) {
  // The clock and the random source give the same id twice, as two runs started in the same
  // second with the same random bits would.
  std::vector<std::string> ids{
      store::make_run_id(1'700'000'000, 0x1234), store::make_run_id(1'700'000'000, 0x1234),
      store::make_run_id(1'700'000'000, 0x1234), store::make_run_id(1'700'000'001, 0x5678)};
  size_t next = 0;
  auto source = [&] { return ids.at(next++); };
  auto first = store::journal_writer::create_new(runs, header(""), source);
  CAF_REQUIRE(first);
  CAF_CHECK_EQUAL(first->id(), "20231114-221320-00001234");
  auto second = store::journal_writer::create_new(runs, header(""), source);
  CAF_REQUIRE(second);
  CAF_CHECK_EQUAL(second->id(), "20231114-221321-00005678");
  auto read = store::read_run(second->dir());
  CAF_REQUIRE(read);
  CAF_CHECK_EQUAL(read->header.id, second->id());
  // Both journals have their own first line.
  auto first_read = store::read_run(first->dir());
  CAF_REQUIRE(first_read);
  CAF_CHECK_EQUAL(first_read->header.id, first->id());
  // Bad ids are not retried forever.
  auto bad = store::journal_writer::create_new(runs, header(""), [] { return std::string{".."}; });
  CAF_CHECK(!bad);
}

CAF_TEST(run ids carry 32 random bits) {
  CAF_CHECK_EQUAL(store::make_run_id(0, 0xdeadbeef), "19700101-000000-deadbeef");
  CAF_CHECK_EQUAL(store::new_run_id().size(), std::string{"19700101-000000-deadbeef"}.size());
}

CAF_TEST(the ledger and its sqlite side files are private) {
  auto file = dir / "state" / "ledger.sqlite";
  {
    auto s = store::open_sqlite_ledger(file);
    CAF_REQUIRE(s);
    store::stored_call c;
    c.run_id = "r1";
    CAF_REQUIRE((*s)->append(c));
    CAF_CHECK_EQUAL(mode_of(dir / "state"), 0700u);
    CAF_CHECK_EQUAL(mode_of(file), 0600u);
    CAF_CHECK_EQUAL(mode_of(fs::path{file} += "-wal"), 0600u);
    CAF_CHECK_EQUAL(mode_of(fs::path{file} += "-shm"), 0600u);
  }
  // One made by an older et is tightened when opened.
  fs::permissions(dir / "state", fs::perms(0755));
  fs::permissions(file, fs::perms(0644));
  auto again = store::open_sqlite_ledger(file);
  CAF_REQUIRE(again);
  CAF_CHECK_EQUAL(mode_of(dir / "state"), 0700u);
  CAF_CHECK_EQUAL(mode_of(file), 0600u);
}

CAF_TEST(a run folder written through planted symlinks writes nothing where they point) {
  {
    auto w = store::journal_writer::create(runs, header("r1"));
    CAF_REQUIRE(w);
  }
  auto run = runs / "r1";
  auto victim = dir / "victim";
  fs::create_directories(victim);
  std::ofstream{victim / "precious"} << "keep me";
  // outputs/ pointing elsewhere: no subtask output lands there.
  fs::remove_all(run / "outputs");
  fs::create_directory_symlink(victim, run / "outputs");
  auto again = store::journal_writer::reopen(run);
  if (again)
    CAF_CHECK(!again->subtask_finished(done(1)));
  CAF_CHECK(!fs::exists(victim / "subtask-01.md"));
  // A `lock` that points at a file: it is not truncated.
  fs::create_symlink(victim / "precious", run / "lock");
  CAF_CHECK(!store::run_lock::acquire(run));
  std::ifstream in{victim / "precious"};
  std::string text;
  std::getline(in, text);
  CAF_CHECK_EQUAL(text, "keep me");
  // A journal that is a symlink is not appended to.
  fs::rename(run / "journal.jsonl", dir / "journal-elsewhere.jsonl");
  fs::create_symlink(dir / "journal-elsewhere.jsonl", run / "journal.jsonl");
  CAF_CHECK(!store::journal_writer::reopen(run));
}

CAF_TEST_FIXTURE_SCOPE_END()
