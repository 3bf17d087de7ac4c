#define CAF_SUITE libet.store.journal
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "et/store/journal.hpp"
#include "et/store/run_lock.hpp"
#include "journal_fixture.hpp"
#include "temp_dir.hpp"

using namespace et;
using namespace journal_test;
namespace fs = std::filesystem;

CAF_TEST_FIXTURE_SCOPE(journal_tests, fixture)

CAF_TEST(every event survives a write and a read) {
  auto w = start("20261124-101500-ab12");
  CAF_REQUIRE(w.planned(two_subtasks(), "be brief"));
  CAF_REQUIRE(w.assigned(1, "slow", 1));
  CAF_REQUIRE(w.attempt_failed(1, "slow", "timeout: no answer"));
  CAF_REQUIRE(w.assigned(1, "fast", 2));
  CAF_REQUIRE(w.reviewed(1, 0.5, "thin", 0));
  CAF_REQUIRE(w.subtask_finished(done_subtask()));
  CAF_REQUIRE(w.files_written(1, {"src/a.cpp", "src/b.cpp"}));
  CAF_REQUIRE(w.assigned(2, "fast", 1));
  auto failed = store::subtask_record{};
  failed.number = 2;
  failed.state = store::subtask_state::failed;
  failed.member = "fast";
  failed.error = "all_failed: every model failed";
  failed.attempts = 1;
  CAF_REQUIRE(w.subtask_finished(failed));
  CAF_REQUIRE(w.verified({1, false, 2, false, "FAIL a_test", {1}}));
  CAF_REQUIRE(w.verified({2, true, 0, false, "ok", {}}));
  CAF_REQUIRE(w.phase("execute", 1234));
  CAF_REQUIRE(w.warning("subtask 2 refused path ../x"));
  CAF_REQUIRE(w.final_output("all done"));
  CAF_REQUIRE(w.finished(store::run_status::failed, usage{100, 200, 30, 40, 50}, 1.5));
  auto r = store::read_run(w.dir());
  CAF_REQUIRE(r);
  CAF_CHECK(r->header == header("20261124-101500-ab12"));
  CAF_CHECK_EQUAL(r->status, store::run_status::failed);
  CAF_CHECK_EQUAL(r->summary, "two steps");
  CAF_CHECK_EQUAL(r->brief, "be brief");
  CAF_REQUIRE_EQUAL(r->subtasks.size(), 2u);
  auto first = done_subtask();
  first.files = {"src/a.cpp", "src/b.cpp"};
  CAF_CHECK(r->subtasks[0] == first);
  failed.text = "test it";
  failed.depends_on = {1};
  failed.specialist = "qa";
  CAF_CHECK(r->subtasks[1] == failed);
  CAF_REQUIRE_EQUAL(r->verifications.size(), 2u);
  CAF_CHECK((r->verifications[0] == store::verify_record{1, false, 2, false, "FAIL a_test", {1}}));
  CAF_CHECK(r->verifications[1].passed);
  CAF_CHECK((r->phases == std::vector<store::phase_record>{{"execute", 1234}}));
  CAF_CHECK((r->warnings
             == std::vector<std::string>{"kept 2 of 3 subtasks", "subtask 2 refused path ../x"}));
  CAF_CHECK_EQUAL(r->final_output, "all done");
  CAF_CHECK((r->tokens == usage{100, 200, 30, 40, 50}));
  CAF_CHECK_EQUAL(r->usd, 1.5);
  CAF_CHECK_GREATER(r->finished_ms, 0);
  CAF_CHECK_EQUAL(r->resumes, 0);
  CAF_CHECK_EQUAL(r->damaged_lines, 0u);
}

CAF_TEST(each line is one JSON object with an event name and a time) {
  auto w = start("r1");
  CAF_REQUIRE(w.planned(two_subtasks(), ""));
  CAF_REQUIRE(w.finished(store::run_status::done, usage{}, 0));
  std::istringstream in{slurp(journal("r1"))};
  std::vector<std::string> events;
  for (std::string line; std::getline(in, line);) {
    auto v = boost::json::parse(line).as_object();
    events.emplace_back(v.at("event").as_string());
    CAF_CHECK_GREATER(v.at("at").as_int64(), 1'600'000'000'000);
  }
  CAF_CHECK((events == std::vector<std::string>{"started", "planned", "finished"}));
}

CAF_TEST(a planned run has pending subtasks and assignment makes them running) {
  auto w = start("r1");
  CAF_REQUIRE(w.planned(two_subtasks(), ""));
  CAF_REQUIRE(w.assigned(2, "fast", 3));
  auto lock = store::run_lock::acquire(w.dir()); // its process is alive
  CAF_REQUIRE(lock);
  auto r = store::read_run(w.dir());
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->status, store::run_status::running);
  CAF_CHECK_EQUAL(r->find(1)->state, store::subtask_state::pending);
  CAF_CHECK_EQUAL(r->find(2)->state, store::subtask_state::running);
  CAF_CHECK_EQUAL(r->find(2)->member, "fast");
  CAF_CHECK_EQUAL(r->find(2)->attempts, 3);
  CAF_CHECK(r->find(3) == nullptr);
}

CAF_TEST(fallbacks are journaled with their reason by name and counted when read) {
  auto w = start("r1");
  store::fallback_record mayor{
      0, "mayor", {"claude-sonnet", "gpt4o", errc::auth, 401, false, "invalid x-api-key"}, true};
  store::fallback_record worker{
      2, "polecat", {"m1", "m2", errc::rate_limited, 429, true, ""}, false};
  CAF_REQUIRE(w.fallback(mayor));
  CAF_REQUIRE(w.fallback(worker));
  CAF_REQUIRE(w.fallback(mayor));
  auto text = slurp(journal("r1"));
  CAF_CHECK(text.find(R"("event":"fallback")") != std::string::npos);
  CAF_CHECK(text.find(R"("reason":"auth")") != std::string::npos);
  // A reason from a newer et is skipped, not guessed.
  append_raw(journal("r1"), R"({"event":"fallback","at":1,"reason":"quota_gone","from":"x"})"
                            "\n");
  auto r = store::read_run(w.dir());
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->fallbacks.size(), 3u);
  CAF_CHECK(r->fallbacks[0] == mayor);
  CAF_CHECK(r->fallbacks[1] == worker);
  auto counts = r->fallbacks_by_reason();
  CAF_CHECK_EQUAL(counts.size(), 2u);
  CAF_CHECK_EQUAL(counts[errc::auth], 2);
  CAF_CHECK_EQUAL(counts[errc::rate_limited], 1);
  CAF_CHECK_EQUAL(r->damaged_lines, 0u);
}

CAF_TEST(reopening a run records a resume and makes it running again) {
  {
    auto w = start("r1");
    CAF_REQUIRE(w.finished(store::run_status::interrupted, usage{1, 2, 0, 0, 0}, 0.5));
  }
  auto again = store::journal_writer::reopen(runs / "r1");
  CAF_REQUIRE(again);
  CAF_REQUIRE(again->phase("verify", 10));
  auto lock = store::run_lock::acquire(runs / "r1");
  CAF_REQUIRE(lock);
  auto r = store::read_run(runs / "r1");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->resumes, 1);
  CAF_CHECK_EQUAL(r->status, store::run_status::running);
  CAF_CHECK_EQUAL(r->phases.size(), 1u);
}

CAF_TEST(a run that says running while no process holds its lock died and reads as interrupted) {
  auto w = start("r1");
  CAF_REQUIRE(w.planned(two_subtasks(), ""));
  // No lock file yet (a run between its journal and its lock): not known to be dead.
  CAF_CHECK_EQUAL(store::read_run(w.dir())->status, store::run_status::running);
  {
    auto lock = store::run_lock::acquire(w.dir());
    CAF_REQUIRE(lock);
    CAF_CHECK_EQUAL(store::read_run(w.dir())->status, store::run_status::running);
  } // the process is gone (kill -9 drops the lock the same way)
  CAF_CHECK_EQUAL(store::read_run(w.dir())->status, store::run_status::interrupted);
  CAF_CHECK(!store::run_lock::in_use(w.dir()));
  CAF_CHECK(store::run_lock::acquire(w.dir())); // a resume may take it
}

CAF_TEST(reopening a missing run is not found) {
  auto w = store::journal_writer::reopen(runs / "nope");
  CAF_REQUIRE(!w);
  CAF_CHECK_EQUAL(w.error().code, errc::not_found);
  CAF_CHECK(w.error().message.find("nope") != std::string::npos);
}

CAF_TEST(outputs are written as files next to the journal) {
  auto w = start("r1");
  auto s = done_subtask();
  CAF_REQUIRE(w.subtask_finished(s));
  s.number = 12;
  s.output = "twelve";
  CAF_REQUIRE(w.subtask_finished(s));
  s.number = 3;
  s.state = store::subtask_state::failed;
  CAF_REQUIRE(w.subtask_finished(s));
  CAF_REQUIRE(w.final_output("first"));
  CAF_REQUIRE(w.final_output("the answer"));
  auto out = runs / "r1" / "outputs";
  CAF_CHECK_EQUAL(slurp(out / "subtask-01.md"), "here it is");
  CAF_CHECK_EQUAL(slurp(out / "subtask-12.md"), "twelve");
  CAF_CHECK(!fs::exists(out / "subtask-03.md"));
  CAF_CHECK_EQUAL(slurp(out / "result.md"), "the answer");
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator{out})
    ++files;
  CAF_CHECK_EQUAL(files, 3u); // no temporary file left behind
}

CAF_TEST(output with broken characters keeps the line valid JSON) {
  auto w = start("r1");
  CAF_REQUIRE(w.final_output("caf\xC3"));
  auto r = store::read_run(w.dir());
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->damaged_lines, 0u);
  CAF_CHECK_EQUAL(r->final_output, "caf\xEF\xBF\xBD");
  CAF_CHECK_EQUAL(slurp(w.dir() / "outputs" / "result.md"), "caf\xC3");
}

CAF_TEST(runs are listed newest first up to the limit) {
  start("20261124-101500-aaaa", 1000);
  start("20261124-101500-cccc", 3000);
  start("20261124-101500-bbbb", 2000);
  auto all = store::list_runs(runs);
  CAF_REQUIRE_EQUAL(all.size(), 3u);
  CAF_CHECK_EQUAL(all[0].header.id, "20261124-101500-cccc");
  CAF_CHECK_EQUAL(all[1].header.id, "20261124-101500-bbbb");
  CAF_CHECK_EQUAL(all[2].header.id, "20261124-101500-aaaa");
  auto two = store::list_runs(runs, 2);
  CAF_REQUIRE_EQUAL(two.size(), 2u);
  CAF_CHECK_EQUAL(two[1].header.id, "20261124-101500-bbbb");
}

CAF_TEST(folders without a readable journal are skipped) {
  start("good", 1000);
  fs::create_directories(runs / "empty-folder");
  fs::create_directories(runs / "garbage");
  append_raw(runs / "garbage" / "journal.jsonl", "not json\n");
  append_raw(runs / "stray-file", "x");
  auto all = store::list_runs(runs, 1);
  CAF_REQUIRE_EQUAL(all.size(), 1u);
  CAF_CHECK_EQUAL(all[0].header.id, "good");
}

CAF_TEST(a missing runs dir lists nothing) {
  CAF_CHECK(store::list_runs(dir / "no-such-dir").empty());
}

CAF_TEST(reading a missing run is not found naming the folder) {
  auto r = store::read_run(runs / "20261124-101500-ab12");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::not_found);
  CAF_CHECK(r.error().message.find("20261124-101500-ab12") != std::string::npos);
}

CAF_TEST(a journal that does not start with started is invalid input) {
  fs::create_directories(runs / "r1");
  append_raw(journal("r1"), R"({"event":"warning","at":1,"text":"x"})"
                            "\n");
  auto r = store::read_run(runs / "r1");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::invalid_input);
  fs::create_directories(runs / "r2");
  append_raw(journal("r2"), "");
  auto empty = store::read_run(runs / "r2");
  CAF_REQUIRE(!empty);
  auto code = empty.error().code; // a local: the check takes references
  CAF_CHECK_EQUAL(code, errc::invalid_input);
}

CAF_TEST(a run id is created once and never escapes the runs dir) {
  start("r1");
  auto twice = store::journal_writer::create(runs, header("r1"));
  CAF_REQUIRE(!twice);
  CAF_CHECK_EQUAL(twice.error().code, errc::io_error);
  for (auto bad : {"", "..", "a/b"}) {
    auto w = store::journal_writer::create(runs, header(bad));
    CAF_REQUIRE(!w);
    CAF_CHECK_EQUAL(w.error().code, errc::invalid_input);
  }
}

CAF_TEST(a header without a start time gets the current time) {
  auto w = store::journal_writer::create(runs, header("r1", 0));
  CAF_REQUIRE(w);
  auto r = store::read_run(w->dir());
  CAF_REQUIRE(r);
  CAF_CHECK_GREATER(r->header.started_ms, 1'600'000'000'000);
}

CAF_TEST(a state this et does not write reads as not finished) {
  auto w = start("r-unknown");
  plan::decomposition plan;
  plan.subtasks.push_back(plan::subtask{1, "one", {}, ""});
  CAF_REQUIRE(w.planned(plan, ""));
  append_raw(journal("r-unknown"),
             R"({"event":"subtask_finished","at":3,"number":1,"state":"archived","output":"x"})"
             "\n"
             R"({"event":"finished","at":4,"status":"paused"})"
             "\n");
  auto r = store::read_run(runs / "r-unknown");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->find(1)->state, store::subtask_state::pending);
  CAF_CHECK_EQUAL(r->status, store::run_status::failed);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(states are words only in the journal and read back as enums) {
  for (auto s : {store::subtask_state::pending, store::subtask_state::running,
                 store::subtask_state::done, store::subtask_state::failed})
    CAF_CHECK(store::subtask_state_from(store::name_of(s)) == s);
  for (auto s : {store::run_status::running, store::run_status::done, store::run_status::failed,
                 store::run_status::interrupted})
    CAF_CHECK(store::run_status_from(store::name_of(s)) == s);
  CAF_CHECK_EQUAL(store::name_of(store::subtask_state::done), "done");
  CAF_CHECK_EQUAL(store::name_of(store::run_status::interrupted), "interrupted");
  CAF_CHECK(!store::subtask_state_from("cancelled"));
  CAF_CHECK(!store::run_status_from("Done"));
}
