#define CAF_SUITE e2e.run_interrupt
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>

#include "child.hpp"
#include "fake_upstream/server.hpp"
#include "temp_dir.hpp"

// Ctrl-C in the middle of a pool run of the et binary, then `--resume`. One
// pool member answers at once, the other is slow (30 s), so the run is
// interrupted with exactly one subtask finished; the resumed run (its slow
// member made fast by rewriting the config) must not ask for that one again.

using namespace et::e2e;
namespace json = boost::json;

namespace {

struct fixture : et::test::scratch_dir {
  et::fake::server upstream{et::fake::options{}};
  fs::path config;
  fs::path runs;

  fixture() : scratch_dir("e2e-interrupt") {
    config = dir / "et.yaml";
    runs = dir / "state" / "runs";
    if (!upstream.start())
      CAF_FAIL("cannot start the fake upstream");
  }

  ~fixture() { upstream.stop(); }

  // The mayor (in-process mock) plans two independent subtasks; `fast` and
  // `slow` are OpenAI members over the fake upstream, echoing their prompt.
  void write(int slow_latency_ms) {
    auto base = "http://127.0.0.1:" + std::to_string(upstream.port()) + "/v1";
    std::ofstream{config}
        << "providers:\n"
        << "  boss: {type: mock, mock: {mode: script, script: [{reply: \"## Summary\\nTwo "
           "parts.\\n## Subtasks\\n1. Handle part one.\\n2. Handle part two.\\n\"}]}}\n"
        << "  quick: {type: openai, base_url: \"" << base << "\"}\n"
        << "  sluggish: {type: openai, base_url: \"" << base
        << "\", headers: {x-fake-latency-ms: \"" << slow_latency_ms << "\"}}\n"
        << "models:\n  planner: {provider: boss, model: planner}\n"
        << "  fast: {provider: quick, model: fast-model}\n"
        << "  slow: {provider: sluggish, model: slow-model}\n"
        << "roles:\n  mayor: {model: planner}\n  polecat: {model: fast, pool: [fast, slow]}\n"
        << "retry: {attempts: 1}\ndefaults: {state_dir: state}\n";
  }

  // The only run's journal, or "" while there is none.
  fs::path journal() const {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator{runs, ec})
      return entry.path() / "journal.jsonl";
    return {};
  }

  // True once the journal says a subtask finished done.
  bool a_subtask_finished() const {
    auto file = journal();
    if (file.empty())
      return false;
    std::istringstream in{read_file(file)};
    for (std::string line; std::getline(in, line);) {
      boost::system::error_code ec;
      auto e = json::parse(line, ec); // the last line may still be half written
      if (ec || !e.is_object())
        continue;
      const auto& o = e.as_object();
      if (o.at("event").as_string() == "subtask_finished" && o.at("state").as_string() == "done")
        return true;
    }
    return false;
  }

  json::object show(const std::string& id) {
    auto r = run_et(dir, {"runs", "show", id, "--json", "--config", config.string()});
    CAF_REQUIRE_EQUAL(r.code, 0);
    return json::parse(r.out).as_object();
  }
};

const json::object& subtask(const json::object& run, size_t number) {
  return run.at("subtasks").as_array().at(number - 1).as_object();
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_interrupt_tests, fixture)

CAF_TEST(ctrl c keeps the finished subtask and resume completes the run without redoing it) {
  write(30'000);
  child c{
      dir, "interrupted", {"run", "--no-synthesize", "--config", config.string(), "Do two parts"}};
  CAF_REQUIRE(c.started());
  // Interrupt once one subtask is journaled done and the other's request is
  // at the upstream, so Ctrl-C lands with work truly in flight.
  auto in_flight = [&] {
    return a_subtask_finished() && upstream.requests(et::fake::endpoint::openai_chat) >= 2;
  };
  if (!poll_until([&] { return in_flight() || c.poll(); }, 10s))
    CAF_FAIL("no subtask finished while the other was in flight; stderr:\n" << c.err());
  if (c.poll())
    CAF_FAIL("et ended before Ctrl-C; stderr:\n" << c.err());
  c.signal(SIGINT);
  CAF_CHECK_EQUAL(c.wait(10s), 130);
  ET_CHECK_SAYING(c.err().find("interrupted") != std::string::npos, "stderr:\n" << c.err());
  auto id = journal().parent_path().filename().string();
  auto before = show(id);
  CAF_CHECK_EQUAL(before.at("status").as_string(), "interrupted");
  CAF_CHECK_EQUAL(subtask(before, 1).at("state").as_string(), "done");
  CAF_CHECK_EQUAL(subtask(before, 1).at("member").as_string(), "fast");
  CAF_CHECK_NOT_EQUAL(subtask(before, 2).at("state").as_string(), "done");
  auto asked = upstream.requests(et::fake::endpoint::openai_chat);
  CAF_CHECK_EQUAL(asked, 2u); // one answered, one cut short by Ctrl-C

  write(0); // the slow member is fast now
  auto r = run_et(dir, {"run", "--resume", id, "--json", "--config", config.string()});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.err.find("resuming run " + id) != std::string::npos);
  auto after = json::parse(r.out).as_object();
  CAF_CHECK_EQUAL(after.at("status").as_string(), "done");
  CAF_CHECK_EQUAL(after.at("resumes").as_int64(), 1);
  CAF_CHECK_EQUAL(subtask(after, 1).at("attempts").as_int64(), 1);
  CAF_CHECK_EQUAL(subtask(after, 1).at("output").as_string(),
                  subtask(before, 1).at("output").as_string());
  CAF_CHECK_EQUAL(subtask(after, 2).at("state").as_string(), "done");
  auto second = std::string{subtask(after, 2).at("output").as_string()};
  CAF_CHECK(second.find("Handle part two.") != std::string::npos);
  // Only the unfinished subtask reached the upstream again.
  CAF_CHECK_EQUAL(upstream.requests(et::fake::endpoint::openai_chat), asked + 1);
  auto final_output = std::string{after.at("final_output").as_string()};
  auto one = final_output.find("## 1. Handle part one.");
  auto two = final_output.find("## 2. Handle part two.");
  CAF_CHECK(one != std::string::npos && two != std::string::npos && one < two);
  CAF_CHECK_EQUAL(show(id).at("status").as_string(), "done");
}

CAF_TEST_FIXTURE_SCOPE_END()
