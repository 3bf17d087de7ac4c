#define CAF_SUITE libet.store.journal_damage
#include "caf/test/unit_test.hpp"

#include <sys/resource.h>

#include <csignal>

#include "journal_fixture.hpp"

// A journal a crash, a full disk or a hand left damaged: what is skipped, counted and kept.

using namespace et;
using namespace journal_test;
namespace fs = std::filesystem;

CAF_TEST_FIXTURE_SCOPE(journal_damage_tests, fixture)

CAF_TEST(a torn last line is skipped and counted) {
  auto w = start("r1");
  CAF_REQUIRE(w.planned(two_subtasks(), ""));
  append_raw(journal("r1"), R"({"event":"subtask_finished","at":1,"number":1,"sta)");
  auto r = store::read_run(w.dir());
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->damaged_lines, 1u);
  CAF_CHECK_EQUAL(r->find(1)->state, store::subtask_state::pending);
}

CAF_TEST(a garbled line in the middle does not hide the events after it) {
  auto w = start("r1");
  append_raw(journal("r1"), "\x01garbage\n[1,2]\n{\"no_event\":1}\n");
  CAF_REQUIRE(w.warning("still here"));
  auto r = store::read_run(w.dir());
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->damaged_lines, 3u);
  CAF_CHECK((r->warnings == std::vector<std::string>{"still here"}));
}

CAF_TEST(reopening after a torn line keeps the resume on a line of its own) {
  start("r1");
  append_raw(journal("r1"), R"({"event":"warning","te)");
  auto again = store::journal_writer::reopen(runs / "r1");
  CAF_REQUIRE(again);
  auto r = store::read_run(runs / "r1");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->damaged_lines, 1u);
  CAF_CHECK_EQUAL(r->resumes, 1);
}

CAF_TEST(an event whose write fails part way leaves no half line for the next) {
  auto w = start("r1");
  // A file size limit just past what is there: the next line is written in part, then EFBIG.
  auto size = fs::file_size(journal("r1"));
  rlimit old{};
  CAF_REQUIRE_EQUAL(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit tight = old;
  tight.rlim_cur = size + 10;
  CAF_REQUIRE_EQUAL(::setrlimit(RLIMIT_FSIZE, &tight), 0);
  auto failed = w.warning(std::string(100, 'x'));
  ::setrlimit(RLIMIT_FSIZE, &old);
  ::signal(SIGXFSZ, old_handler);
  CAF_CHECK(!failed);
  CAF_CHECK_EQUAL(fs::file_size(journal("r1")), size);
  CAF_REQUIRE(w.warning("after"));
  auto r = store::read_run(w.dir());
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->damaged_lines, 0u);
  CAF_CHECK((r->warnings == std::vector<std::string>{"after"}));
}

CAF_TEST_FIXTURE_SCOPE_END()
