#define CAF_SUITE apps.run_fallback
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <iterator>

#include "app_test.hpp"

// `et run` in pool mode when keys are refused: the mayor's primary and one
// pool member answer 401-style auth failures, their fallbacks answer, and the
// run says so on stderr, in the journal, in the summary and in --json.

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace et::test;

namespace {

struct fixture : scratch_dir {
  fs::path file = dir / "et.yaml";

  fixture() : scratch_dir("run-fallback") {
    std::ofstream{file}
        << "providers:\n"
        << "  boss: {type: mock, mock: {mode: script, script: [{match: \"plan the task below\", "
           "reply: \"## Summary\\nTwo parts.\\n## Subtasks\\n1. Handle the alpha part.\\n"
           "2. Handle the bravo part.\\n\"}, {reply: SYNTHESIS}]}}\n"
        << "  locked: {type: mock, mock: {mode: echo, faults: [{error: auth, probability: 1.0, "
           "message: invalid x-api-key}]}}\n"
        << "  w1: {type: mock, mock: {mode: echo, faults: [{error: auth, probability: 1.0, "
           "message: invalid x-api-key}]}}\n"
        << "  w2: {type: mock, mock: {mode: fixed, text: WORK-DONE}}\n"
        << "models:\n"
        << "  planner: {provider: boss, model: planner}\n"
        << "  broken-planner: {provider: locked, model: planner}\n"
        << "  m1: {provider: w1, model: m1}\n"
        << "  m2: {provider: w2, model: m2}\n"
        << "roles:\n"
        << "  mayor: {model: broken-planner, fallbacks: [planner]}\n"
        << "  polecat: {model: m1, pool: [m1, m2]}\n"
        << "retry: {attempts: 1}\n"
        << "defaults: {state_dir: state}\n";
  }

  outcome et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(file.string());
    return run_in_process(args);
  }

  std::vector<json::object> journal(const std::string& id) {
    std::ifstream in{dir / "state" / "runs" / id / "journal.jsonl"};
    std::vector<json::object> out;
    for (std::string line; std::getline(in, line);)
      out.push_back(json::parse(line).as_object());
    return out;
  }
};

std::string str(const json::value& v) {
  return std::string{v.as_string()};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_fallback_tests, fixture)

CAF_TEST(refused keys are reported on stderr journaled and counted by reason) {
  auto r = et({"run", "--no-synthesize", "--no-coordinate", "--json", "Do two parts"});
  CAF_CHECK_EQUAL(r.code, 0);
  if (r.code != 0)
    CAF_MESSAGE("stderr:\n" << r.err);
  // One line each: the mayor's decompose and the subtask m1 refused.
  CAF_CHECK(has(r.err, "[mayor] broken-planner: authentication failed; answered by planner\n"));
  CAF_CHECK(has(r.err, "] m1: authentication failed; answered by m2\n"));
  CAF_CHECK_EQUAL(count(r.err, "authentication failed"), 2u);
  // The summary counts them by reason.
  CAF_CHECK(has(r.err, "\n2 fallbacks: 2 auth\n"));
  auto run = json::parse(r.out).as_object();
  CAF_CHECK_EQUAL(run.at("fallbacks_by_reason").at("auth").as_int64(), 2);
  const auto& listed = run.at("fallbacks").as_array();
  CAF_REQUIRE_EQUAL(listed.size(), 2u);
  CAF_CHECK_EQUAL(str(listed.at(0).at("role")), "mayor");
  CAF_CHECK_EQUAL(str(listed.at(0).at("reason")), "auth");
  // The journal has one fallback event each, with the typed reason by name.
  auto id = str(run.at("header").at("id"));
  std::vector<json::object> events;
  for (auto& e : journal(id))
    if (str(e.at("event")) == "fallback")
      events.push_back(e);
  CAF_REQUIRE_EQUAL(events.size(), 2u);
  CAF_CHECK_EQUAL(events[0].at("number").as_int64(), 0);
  CAF_CHECK_EQUAL(str(events[0].at("role")), "mayor");
  CAF_CHECK_EQUAL(str(events[0].at("from")), "broken-planner");
  CAF_CHECK_EQUAL(str(events[0].at("to")), "planner");
  CAF_CHECK_EQUAL(str(events[0].at("reason")), "auth");
  CAF_CHECK_EQUAL(str(events[0].at("message")), "invalid x-api-key");
  CAF_CHECK(events[0].at("answered").as_bool());
  CAF_CHECK_GREATER(events[1].at("number").as_int64(), 0);
  CAF_CHECK_EQUAL(str(events[1].at("role")), "polecat");
  CAF_CHECK_EQUAL(str(events[1].at("from")), "m1");
  CAF_CHECK_EQUAL(str(events[1].at("to")), "m2");
  // Read back from the journal, the run still counts them.
  auto shown = json::parse(et({"runs", "show", "--json", id}).out).as_object();
  CAF_CHECK_EQUAL(shown.at("fallbacks_by_reason").at("auth").as_int64(), 2);
  auto text = et({"runs", "show", id}).out;
  CAF_CHECK(has(text, "\n2 fallbacks: 2 auth\n"));
  CAF_CHECK(has(text, "  [mayor] broken-planner: authentication failed; answered by planner\n"));
}

CAF_TEST(a run without fallbacks prints no fallback lines and counts none) {
  auto text = read_file(file); // the same config with a working mayor and member only
  auto mayor = std::string{"mayor: {model: broken-planner, fallbacks: [planner]}"};
  text.replace(text.find(mayor), mayor.size(), "mayor: {model: planner}");
  text.replace(text.find("pool: [m1, m2]"), 14, "pool: [m2]");
  std::ofstream{file} << text;
  auto r = et({"run", "--no-synthesize", "--no-coordinate", "--json", "Do two parts"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(!has(r.err, "answered by")); // no fallback line
  CAF_CHECK(!has(r.err, " fallback"));   // nor a count in the summary
  auto run = json::parse(r.out).as_object();
  CAF_CHECK(run.at("fallbacks").as_array().empty());
  CAF_CHECK(run.at("fallbacks_by_reason").as_object().empty());
}

CAF_TEST(accept without a witness role is a usage error that names the flag) {
  auto r = et({"run", "--accept", "has tests", "Do two parts"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(has(r.err, "et run: --accept: the criteria are checked by the witness role"));
  auto empty = et({"run", "--accept", " ", "Do two parts"});
  CAF_CHECK_EQUAL(empty.code, 2);
  CAF_CHECK(has(empty.err, "et run: --accept: a criterion is empty"));
}

CAF_TEST(a retry a pool member waits for is said as the wait starts) {
  std::string yaml;
  {
    std::ifstream in{file};
    yaml.assign(std::istreambuf_iterator<char>{in}, {});
  }
  auto swap = [&](const std::string& from, const std::string& to) {
    auto at = yaml.find(from);
    CAF_REQUIRE(at != std::string::npos);
    yaml.replace(at, from.size(), to);
  };
  swap("w1: {type: mock, mock: {mode: echo, faults: [{error: auth, probability: 1.0, "
       "message: invalid x-api-key}]}}",
       "w1: {type: mock, mock: {mode: echo, faults: [{error: rate_limited, on_calls: [1], "
       "retry_after: 1s}]}}");
  swap("pool: [m1, m2]", "pool: [m1]");
  swap("retry: {attempts: 1}", "retry: {attempts: 2, jitter: 0}");
  std::ofstream{file, std::ios::trunc} << yaml;
  auto r = et({"run", "--no-review", "--no-refine", "Do two parts"});
  CAF_CHECK_EQUAL(r.code, 0);
  ET_CHECK_SAYING(has(r.err, "[polecat] m1 (w1/m1): ")
                      && has(r.err, "rate limited; asking it again in 1s (attempt 2)\n"),
                  r.err);
}

CAF_TEST_FIXTURE_SCOPE_END()
