#define CAF_SUITE apps.runs
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>

#include "app_test.hpp"
#include "et/store/journal.hpp"
#include "et/store/run_lock.hpp"

using namespace et;
using namespace et::test;
namespace fs = std::filesystem;

namespace {

constexpr int64_t noon = 1'795'521'600'000; // 2026-11-24 12:00 UTC

std::string local_minute(int64_t unix_ms) {
  auto t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string line_of(const std::string& text, const std::string& part) {
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    if (line.find(part) != std::string::npos)
      return line;
  return {};
}

struct fixture : scratch_dir {
  fs::path runs = dir / "runs";
  fs::path config = dir / "et.yaml";

  fixture() : scratch_dir("runs") {
    std::ofstream{config} << "providers: {sim: {type: mock}}\n"
                          << "models: {a: {provider: sim, model: m}}\n"
                          << "defaults: {runs_dir: " << runs.string() << "}\n";
  }

  store::journal_writer start(const std::string& id, int64_t at, const std::string& task) {
    store::run_header h;
    h.id = id;
    h.started_ms = at;
    h.task = task;
    h.config = config.string();
    h.supervisor_role = "mayor";
    h.worker_role = "polecat";
    h.verify = "make test";
    h.refine = false;
    auto w = store::journal_writer::create(runs, h);
    CAF_REQUIRE(w);
    return std::move(*w);
  }

  // A finished run: two subtasks, one done and one failed, verified, with a final answer.
  void full_run(const std::string& id, int64_t at) {
    auto w = start(id, at, "build a parser\nwith tests");
    plan::decomposition plan;
    plan.subtasks = {{1, "write it", {}, ""}, {2, "test it", {1}, ""}};
    CAF_REQUIRE(w.planned(plan, ""));
    CAF_REQUIRE(w.assigned(1, "fast", 1));
    store::subtask_record s;
    s.number = 1;
    s.state = store::subtask_state::done;
    s.member = "fast";
    s.output = "code";
    s.tokens = usage{100, 50, 0, 0, 0};
    s.usd = 0.125;
    s.attempts = 1;
    s.score = 8.5;
    s.files = {"src/parser.cpp"};
    CAF_REQUIRE(w.subtask_finished(s));
    s.number = 2;
    s.state = store::subtask_state::failed;
    s.error = "all_failed: every model failed";
    s.attempts = 3;
    s.files.clear();
    CAF_REQUIRE(w.subtask_finished(s));
    CAF_REQUIRE(w.phase("execute", 2500));
    CAF_REQUIRE(w.verified({1, false, 2, false, "FAIL", {2}}));
    CAF_REQUIRE(w.warning("subtask 2 wrote outside the output dir"));
    CAF_REQUIRE(w.final_output("the parser is ready"));
    CAF_REQUIRE(w.finished(store::run_status::failed, usage{200, 100, 7, 0, 0}, 0.25));
  }

  outcome et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config.string());
    return run_in_process(args);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(runs_tests, fixture)

CAF_TEST(no runs says so on stderr and exits 0) {
  auto r = et({"runs"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.out.empty());
  CAF_CHECK_EQUAL(r.err, "no runs yet in " + runs.string() + "\n");
}

CAF_TEST(the table lists runs newest first with status subtasks cost and task) {
  full_run("20261124-120000-aaaa", noon);
  auto w = start("20261124-130000-bbbb", noon + 3'600'000, std::string(80, 'x'));
  std::optional alive{et::store::run_lock::acquire(w.dir())}; // its process still runs
  CAF_REQUIRE(*alive);
  auto r = et({"runs"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.out.rfind("ID", 0) == 0);
  CAF_CHECK(has(r.out, "STARTED") && has(r.out, "SUBTASKS") && has(r.out, "TASK"));
  CAF_CHECK_LESS(r.out.find("bbbb"), r.out.find("aaaa"));
  auto old = line_of(r.out, "aaaa");
  CAF_CHECK(has(old, local_minute(noon)));
  CAF_CHECK(has(old, "failed"));
  CAF_CHECK(has(old, "1/2, 1 failed"));
  CAF_CHECK(has(old, "$0.25"));
  CAF_CHECK(has(old, "build a parser…"));
  CAF_CHECK(!has(r.out, "with tests"));
  auto running = line_of(r.out, "bbbb");
  CAF_CHECK(has(running, "running"));
  CAF_CHECK(has(running, std::string(59, 'x') + "…"));
  CAF_CHECK(!has(running, std::string(60, 'x')));
  alive.reset(); // its process died without a word (kill -9): the row says so
  CAF_CHECK(has(line_of(et({"runs"}).out, "bbbb"), "interrupted"));
}

CAF_TEST(free unpriced and mixed runs cost what they are) {
  auto free = start("20261124-120000-aaaa", noon, "t");
  CAF_REQUIRE(free.finished(store::run_status::done, usage{200, 100, 0, 0, 0}, 0, 0));
  auto unpriced = start("20261124-120000-bbbb", noon, "t");
  CAF_REQUIRE(unpriced.finished(store::run_status::done, usage{200, 100, 0, 0, 0}, 0, 2));
  auto mixed = start("20261124-120000-cccc", noon, "t");
  CAF_REQUIRE(mixed.finished(store::run_status::done, usage{200, 100, 0, 0, 0}, 0.5, 1));
  // A journal from before unpriced calls were counted: free and unpriced look alike there.
  auto old = start("20261124-120000-dddd", noon, "t");
  std::ofstream{runs / "20261124-120000-dddd" / "journal.jsonl", std::ios::app}
      << R"({"event":"finished","at":1795521700000,"status":"done",)"
      << R"("tokens":{"prompt_tokens":200,"completion_tokens":100},"usd":0})"
      << "\n";
  auto r = et({"runs"});
  CAF_CHECK(has(line_of(r.out, "aaaa"), "$0.00"));
  CAF_CHECK(has(line_of(r.out, "bbbb"), "2 unpriced"));
  CAF_CHECK(has(line_of(r.out, "cccc"), "$0.50 (+1 unpriced)"));
  CAF_CHECK(has(line_of(r.out, "dddd"), "300 tokens"));
  auto show = et({"runs", "show", "20261124-120000-cccc"});
  CAF_CHECK(has(show.out, "spend: $0.50 (+1 unpriced) ("));
  auto doc =
      boost::json::parse(et({"runs", "show", "20261124-120000-bbbb", "--json"}).out).as_object();
  CAF_CHECK_EQUAL(doc.at("unpriced_requests").as_int64(), 2);
}

CAF_TEST(the limit keeps the newest runs) {
  start("20261124-120000-aaaa", noon, "old");
  start("20261124-130000-bbbb", noon + 1000, "new");
  auto r = et({"runs", "--limit", "1"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(has(r.out, "bbbb"));
  CAF_CHECK(!has(r.out, "aaaa"));
}

CAF_TEST(a negative limit is a usage error) {
  auto r = et({"runs", "--limit", "-1"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "--limit"));
}

CAF_TEST(the list as JSON holds every field) {
  full_run("20261124-120000-aaaa", noon);
  auto r = et({"runs", "--json"});
  CAF_CHECK_EQUAL(r.code, 0);
  auto doc = boost::json::parse(r.out).as_object();
  CAF_CHECK_EQUAL(doc.at("runs_dir").as_string(), runs.string());
  auto& run = doc.at("runs").as_array().at(0).as_object();
  CAF_CHECK_EQUAL(run.at("header").at("id").as_string(), "20261124-120000-aaaa");
  CAF_CHECK_EQUAL(run.at("header").at("refine").as_bool(), false);
  CAF_CHECK_EQUAL(run.at("tokens").at("cache_read_tokens").as_int64(), 7);
  auto& first = run.at("subtasks").as_array().at(0).as_object();
  CAF_CHECK_EQUAL(first.at("score").as_double(), 8.5);
  CAF_CHECK_EQUAL(first.at("files").as_array().at(0).as_string(), "src/parser.cpp");
  CAF_CHECK_EQUAL(run.at("verifications").as_array().at(0).at("exit_code").as_int64(), 2);
  CAF_CHECK_EQUAL(run.at("final_output").as_string(), "the parser is ready");
}

CAF_TEST(show reports the header phases subtasks verify warnings and output) {
  full_run("20261124-120000-aaaa", noon);
  auto r = et({"runs", "show", "20261124-120000-aaaa"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.out.rfind("run 20261124-120000-aaaa  failed\n", 0) == 0);
  CAF_CHECK(has(r.out, "task: build a parser\n      with tests\n"));
  CAF_CHECK(has(r.out, "started: " + local_minute(noon)));
  CAF_CHECK(has(r.out, "config: " + config.string()));
  CAF_CHECK(has(r.out, "roles: mayor -> polecat"));
  CAF_CHECK(has(r.out, "flags: --verify \"make test\" --max-iterations 3 --no-refine\n"));
  CAF_CHECK(has(r.out, "phases:\n  execute  2.5s\n"));
  CAF_CHECK(has(r.out, "  #  STATE   MEMBER  TRIES  TOKENS  COST    SCORE  FILES / ERROR\n"));
  CAF_CHECK(has(r.out, "  1  done    fast    1      150     $0.125  8.5    src/parser.cpp\n"));
  CAF_CHECK(has(r.out, "  2  failed  fast    3      150     $0.125  8.5    error: all_failed: "
                       "every model failed\n"));
  CAF_CHECK(has(r.out, "  1  failed (exit 2)  sent back: 2\n"));
  CAF_CHECK(has(r.out, "  - subtask 2 wrote outside the output dir\n"));
  CAF_CHECK(has(r.out, "final output:\nthe parser is ready\n"));
}

CAF_TEST(show without a final output names the outputs folder) {
  start("20261124-120000-aaaa", noon, "t");
  auto r = et({"runs", "show", "20261124-120000-aaaa"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(has(r.out, "duration: (not finished)"));
  CAF_CHECK(has(r.out, "no final output; outputs are in "
                           + (runs / "20261124-120000-aaaa" / "outputs").string()));
}

CAF_TEST(show tells subtasks stopped part way and never started from pending ones) {
  auto w = start("20261124-120000-aa", noon, "three parts");
  plan::decomposition plan;
  plan.subtasks = {{1, "one", {}, ""}, {2, "two", {}, ""}, {3, "three", {}, ""}};
  CAF_REQUIRE(w.planned(plan, ""));
  store::subtask_record s;
  s.number = 2;
  s.member = "fast";
  s.error = "cancelled";
  s.attempts = 1;
  CAF_REQUIRE(w.subtask_finished(s)); // cancelled mid-answer: pending for a resume
  s = {};
  s.number = 3;
  s.error = "cancelled";
  CAF_REQUIRE(w.subtask_finished(s));                  // never asked
  auto row = [](const std::string& text, int number) { // the subtask table's row
    std::istringstream in{text};
    for (std::string line; std::getline(in, line);)
      if (line.rfind("  " + std::to_string(number) + "  ", 0) == 0)
        return line;
    return std::string{};
  };
  auto running = et({"runs", "show", "20261124-120000-aa"});
  CAF_CHECK(has(row(running.out, 2), "pending"));
  CAF_REQUIRE(w.finished(store::run_status::interrupted, {}, 0));
  auto r = et({"runs", "show", "20261124-120000-aa"});
  CAF_CHECK_EQUAL(r.code, 0);
  auto two = row(r.out, 2);
  CAF_CHECK(has(two, "stopped"));
  CAF_CHECK(has(two, "fast"));
  CAF_CHECK(has(two, "error: cancelled"));
  auto three = row(r.out, 3);
  CAF_CHECK(has(three, "not run"));
  CAF_CHECK(!has(three, "cancelled"));
  CAF_CHECK(!has(r.out, "pending"));
}

CAF_TEST(show says how much of a resumed run s duration it worked) {
  {
    auto w = start("20261124-120000-bb", noon, "two processes");
    CAF_REQUIRE(w.phase("execute", 1500));
    CAF_REQUIRE(w.finished(store::run_status::interrupted, {}, 0));
  }
  auto again = store::journal_writer::reopen(runs / "20261124-120000-bb");
  CAF_REQUIRE(again);
  CAF_REQUIRE(again->phase("execute", 2500));
  CAF_REQUIRE(again->finished(store::run_status::done, {}, 0));
  auto r = et({"runs", "show", "20261124-120000-bb"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(has(r.out, " (4.0s of it working)  resumed 1 time\n"));
}

CAF_TEST(show names the verify and review settings a run keeps) {
  store::run_header h;
  h.id = "20261124-120000-ee";
  h.started_ms = noon;
  h.task = "t";
  h.verify = "make test";
  h.verify_timeout_s = 30;
  h.sandbox = "off";
  h.min_score = 6.5;
  h.max_reasks = 1;
  CAF_REQUIRE(store::journal_writer::create(runs, h));
  auto r = et({"runs", "show", "20261124-120000-ee"});
  CAF_CHECK(has(r.out, " --verify-timeout 30 --sandbox off "));
  CAF_CHECK(has(r.out, " --min-score 6.5 --max-reasks 1"));
}

CAF_TEST(show accepts a unique prefix of an id) {
  start("20261124-120000-aaaa", noon, "first");
  start("20261125-120000-bbbb", noon + 86'400'000, "second");
  auto r = et({"runs", "show", "20261125"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.out.rfind("run 20261125-120000-bbbb", 0) == 0);
}

CAF_TEST(an ambiguous prefix is a usage error naming the matches) {
  start("20261124-120000-aaaa", noon, "first");
  start("20261124-130000-bbbb", noon + 1000, "second");
  auto r = et({"runs", "show", "20261124"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "matches 2 runs"));
}

CAF_TEST(an unknown id is one line with a suggestion and exit 2) {
  start("20261124-120000-aaaa", noon, "t");
  auto r = et({"runs", "show", "20261124-120000-aaab"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(r.out.empty());
  CAF_CHECK_EQUAL(r.err, "et runs show: no run \"20261124-120000-aaab\" in " + runs.string()
                             + "; did you mean \"20261124-120000-aaaa\"?\n");
  auto far = et({"runs", "show", "nothing-like-it"});
  CAF_CHECK_EQUAL(far.code, 2);
  CAF_CHECK(!has(far.err, "did you mean"));
}

CAF_TEST(show as JSON is the whole record) {
  full_run("20261124-120000-aaaa", noon);
  auto r = et({"runs", "show", "20261124-120000-aaaa", "--json"});
  CAF_CHECK_EQUAL(r.code, 0);
  auto doc = boost::json::parse(r.out).as_object();
  CAF_CHECK_EQUAL(doc.at("status").as_string(), "failed");
  CAF_CHECK_EQUAL(doc.at("subtasks").as_array().size(), 2u);
  CAF_CHECK_EQUAL(doc.at("phases").as_array().at(0).at("elapsed_ms").as_int64(), 2500);
  CAF_CHECK_EQUAL(doc.at("warnings").as_array().size(), 1u);
  CAF_CHECK_EQUAL(doc.at("damaged_lines").to_number<int>(), 0);
}

CAF_TEST(JSON out is valid UTF - 8 whatever bytes a journal holds) {
  {
    auto w = start("20261124-120000-bbbb", noon, "task");
    CAF_REQUIRE(w.warning("placeholder"));
  }
  // A hand-edited journal: a byte that is not UTF-8 where the warning was.
  auto journal = runs / "20261124-120000-bbbb" / "journal.jsonl";
  std::ifstream in{journal, std::ios::binary};
  std::string text{std::istreambuf_iterator<char>{in}, {}};
  in.close();
  auto at = text.find("placeholder");
  CAF_REQUIRE(at != std::string::npos);
  text.replace(at, 11, "bad \xff byte");
  std::ofstream{journal, std::ios::binary | std::ios::trunc} << text;
  for (auto args : {std::vector<std::string>{"runs", "show", "20261124-120000-bbbb", "--json"},
                    std::vector<std::string>{"runs", "--json"}}) {
    auto r = et(args);
    CAF_CHECK_EQUAL(r.code, 0);
    boost::system::error_code ec;
    boost::json::parse(r.out, ec); // strict: invalid UTF-8 is an error
    CAF_CHECK(!ec);
    CAF_CHECK(r.out.find("bad \xEF\xBF\xBD byte") != std::string::npos);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
