#define CAF_SUITE libet.store.run_header
#include "caf/test/unit_test.hpp"

#include <filesystem>
#include <functional>
#include <string>

#include "check_saying.hpp"
#include "et/store/journal.hpp"
#include "et/store/run_lock.hpp"
#include "et/store/run_seal.hpp"
#include "journal_fixture.hpp"
#include "temp_dir.hpp"

// What a run's first event keeps for its resume (the verify settings and review thresholds
// among it), what its seal covers, and when a new run's folder is claimed.

using namespace et;
using namespace journal_test;
namespace fs = std::filesystem;

namespace {

const std::string key = "0123456789abcdef0123456789abcdef";

store::run_header kept_settings(std::string id) {
  auto h = header(std::move(id));
  h.min_score = 8.5;
  h.max_reasks = 0;
  h.verify_timeout_s = 30;
  h.sandbox = "off";
  return h;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_header_tests, fixture)

CAF_TEST(the verify settings and review thresholds survive a write and a read) {
  auto h = kept_settings("r1");
  CAF_REQUIRE(store::journal_writer::create(runs, h));
  auto r = store::read_run(runs / "r1");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->header.min_score, 8.5);
  CAF_CHECK_EQUAL(r->header.max_reasks, 0);
  CAF_CHECK_EQUAL(r->header.verify_timeout_s, 30);
  CAF_CHECK_EQUAL(r->header.sandbox, "off");
  CAF_CHECK(r->header == h);
}

CAF_TEST(a journal from before they were kept reads the defaults its run had) {
  fs::create_directories(runs / "old");
  append_raw(journal("old"), R"({"event":"started","at":1,"id":"old","task":"t","verify":"make"})"
                             "\n");
  auto r = store::read_run(runs / "old");
  CAF_REQUIRE(r);
  const store::run_header usual;
  CAF_CHECK_EQUAL(r->header.min_score, usual.min_score);
  CAF_CHECK_EQUAL(r->header.max_reasks, usual.max_reasks);
  CAF_CHECK_EQUAL(r->header.verify_timeout_s, usual.verify_timeout_s);
  CAF_CHECK_EQUAL(r->header.sandbox, ""); // the config's verify.sandbox decides, as it did
}

CAF_TEST(damaged settings read as defaults and an unknown sandbox as on) {
  fs::create_directories(runs / "bad");
  append_raw(journal("bad"), R"({"event":"started","at":1,"id":"bad","task":"t",)"
                             R"("min_score":11,"max_reasks":-1,"verify_timeout_s":0,)"
                             R"("sandbox":"maybe"})"
                             "\n");
  auto r = store::read_run(runs / "bad");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->header.min_score, 7);
  CAF_CHECK_EQUAL(r->header.max_reasks, 2);
  CAF_CHECK_EQUAL(r->header.verify_timeout_s, 600);
  CAF_CHECK_EQUAL(r->header.sandbox, "on");
}

CAF_TEST(a seal holds for its header and breaks at an edit of what it covers) {
  auto h = kept_settings("r1");
  h.seal = store::seal_of(h, key);
  CAF_CHECK(store::sealed_by(h, key));
  std::vector<std::function<void(store::run_header&)>> edits{
      [](auto& e) { e.task += "!"; },
      [](auto& e) { e.verify = "rm -rf ~"; },
      [](auto& e) { e.output_dir = "/home/me"; },
      [](auto& e) { e.accept.push_back("more"); },
      [](auto& e) { e.sandbox = "auto"; },
      [](auto& e) { e.verify_timeout_s = 31; },
      [](auto& e) { e.min_score = 8; },
      [](auto& e) { e.max_reasks = 1; },
      // A criterion that spells a setting is not that setting.
      [](auto& e) {
        e.sandbox = "";
        e.accept.push_back("sandbox=off");
      },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    auto edited = h;
    edits[i](edited);
    ET_CHECK_SAYING(!store::sealed_by(edited, key), "edit " << i << " kept the seal");
  }
}

CAF_TEST(a header at the defaults seals as journals did before the settings were kept) {
  // The HMAC-SHA256 of the fields sealed since seals began, worked out outside et: a journal
  // sealed then must still be resumed without --trust-journal.
  auto h = header("r1");
  h.accept = {"tests pass"};
  CAF_CHECK_EQUAL(store::seal_of(h, key),
                  "d79c40774969ce88a6ffd7cf84b71ecd7c515cbe7dbad8c13ca111fe0e99a038");
}

CAF_TEST(a new run s folder is claimed before its journal exists) {
  bool journal_seen = true;
  auto claimed = [&](const fs::path& run_dir) -> result<void> {
    journal_seen = fs::exists(run_dir / "journal.jsonl");
    auto lock = store::run_lock::acquire(run_dir);
    return lock ? result<void>{} : lock.error();
  };
  auto w = store::journal_writer::create(runs, header("r1"), claimed);
  CAF_REQUIRE(w);
  CAF_CHECK(!journal_seen);
  CAF_CHECK(fs::exists(runs / "r1" / "lock"));
}

CAF_TEST(a claim that fails leaves no folder behind) {
  auto refuse = [](const fs::path&) -> result<void> {
    return make_failure(errc::io_error, "run r1 is in use by pid 1");
  };
  auto w = store::journal_writer::create(runs, header("r1"), refuse);
  CAF_REQUIRE(!w);
  CAF_CHECK_EQUAL(w.error().message, "run r1 is in use by pid 1");
  CAF_CHECK(!fs::exists(runs / "r1"));
}

CAF_TEST_FIXTURE_SCOPE_END()
