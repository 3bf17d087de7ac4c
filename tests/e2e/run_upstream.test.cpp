#define CAF_SUITE e2e.run_upstream
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <set>

#include "child.hpp"
#include "fake_upstream/server.hpp"
#include "temp_dir.hpp"

// The et binary, as a user runs it, against the fake upstream on loopback:
// a streamed single answer over the OpenAI protocol, a pool whose members
// speak OpenAI and Anthropic, and a 429 with Retry-After. Replies and faults
// are chosen per provider by `x-fake-*` headers in the provider's config.

using namespace et::e2e;
namespace json = boost::json;

namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct fixture : et::test::scratch_dir {
  et::fake::server upstream{et::fake::options{}};
  fs::path config;
  std::string base;

  fixture() : scratch_dir("e2e-upstream") {
    config = dir / "et.yaml";
    if (!upstream.start())
      CAF_FAIL("cannot start the fake upstream");
    base = "http://127.0.0.1:" + std::to_string(upstream.port());
  }

  ~fixture() { upstream.stop(); }

  // `body` (providers, models, roles) plus the state dir inside the test's folder.
  void write(const std::string& body) {
    std::ofstream{config} << body << "defaults: {state_dir: state}\n";
  }

  finished et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config.string());
    return run_et(dir, args);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_upstream_tests, fixture)

CAF_TEST(a single worker streams its answer from an OpenAI compatible server) {
  // Twenty words at twenty per second: about a second of streaming, long
  // enough to see part of the answer on stdout while et still runs.
  std::string text;
  for (int i = 1; i <= 20; ++i)
    text += (i > 1 ? " w" : "w") + std::to_string(i);
  write("providers:\n  up: {type: openai, base_url: \"" + base + "/v1\", headers: {x-fake-text: \""
        + text + "\", x-fake-tps: \"20\"}}\n"
        + "models:\n  talker: {provider: up, model: stream-model}\n"
        + "roles:\n  solo: {model: talker}\n");
  child c{dir,
          "single",
          {"run", "--worker-role", "solo", "--config", config.string(), "say twenty words"}};
  CAF_REQUIRE(c.started());
  bool partial = false;
  poll_until(
      [&] {
        auto out = c.out(); // read first: the child still ran when this was on stdout
        partial = has(out, "w1") && !has(out, "w20");
        return partial || c.poll().has_value();
      },
      10s);
  ET_CHECK_SAYING(partial, "no partial answer was seen on stdout while et ran");
  CAF_CHECK_EQUAL(c.wait(), 0);
  CAF_CHECK_EQUAL(c.out(), text + "\n");
  CAF_CHECK(has(c.err(), "answered by talker after 1 attempt"));
  CAF_CHECK_EQUAL(upstream.requests(et::fake::endpoint::openai_chat), 1u);
}

CAF_TEST(a pool over OpenAI and Anthropic members completes its subtasks in order) {
  // The workers echo their prompt (the fake upstream's default), so each
  // answer shows the subtask it was given.
  std::string plan = "## Summary\\nFour parts.\\n## Subtasks\\n1. Handle part one.\\n"
                     "2. Handle part two.\\n3. Handle part three.\\n4. Handle part four.\\n";
  write("providers:\n"
        "  boss: {type: mock, mock: {mode: script, script: [{match: \"plan the task below\", "
        "reply: \""
        + plan + "\"}, {reply: SYNTHESIS}]}}\n" + "  oa: {type: openai, base_url: \"" + base
        + "/v1\", headers: {x-fake-latency-ms: \"50\"}}\n" + "  an: {type: anthropic, base_url: \""
        + base + "\", api_key: sk-ant-test, headers: {x-fake-latency-ms: \"50\"}}\n"
        + "models:\n  planner: {provider: boss, model: planner}\n"
        + "  gpt: {provider: oa, model: pool-openai}\n"
        + "  claude: {provider: an, model: pool-anthropic}\n"
        + "roles:\n  mayor: {model: planner}\n  polecat: {model: gpt, pool: [gpt, claude]}\n");
  auto r = et({"run", "--no-synthesize", "--json", "Do four parts"});
  CAF_CHECK_EQUAL(r.code, 0);
  boost::system::error_code ec;
  auto doc = json::parse(r.out, ec);
  CAF_REQUIRE(!ec);
  const auto& run = doc.as_object();
  CAF_CHECK_EQUAL(run.at("status").as_string(), "done");
  const auto& subtasks = run.at("subtasks").as_array();
  CAF_REQUIRE_EQUAL(subtasks.size(), 4u);
  std::vector<std::string> names{"one", "two", "three", "four"};
  std::set<std::string> members;
  for (size_t i = 0; i < 4; ++i) {
    const auto& s = subtasks[i].as_object();
    CAF_CHECK_EQUAL(s.at("number").as_int64(), static_cast<int64_t>(i + 1));
    CAF_CHECK_EQUAL(s.at("state").as_string(), "done");
    auto output = std::string{s.at("output").as_string()};
    ET_CHECK_SAYING(has(output, "## Your subtask\nHandle part " + names[i] + "."),
                    "subtask " << i + 1 << " answered: " << output);
    members.insert(std::string{s.at("member").as_string()});
  }
  CAF_CHECK_EQUAL(members, (std::set<std::string>{"gpt", "claude"}));
  // The raw results follow subtask order, whoever finished first.
  auto final_output = std::string{run.at("final_output").as_string()};
  size_t at = 0;
  for (size_t i = 0; i < 4; ++i) {
    auto pos = final_output.find("## " + std::to_string(i + 1) + ". Handle part " + names[i], at);
    CAF_CHECK_NOT_EQUAL(pos, std::string::npos);
    at = pos == std::string::npos ? at : pos;
  }
  CAF_CHECK_EQUAL(upstream.requests(et::fake::endpoint::openai_chat)
                      + upstream.requests(et::fake::endpoint::anthropic_messages),
                  4u);
  CAF_CHECK_GREATER_OR_EQUAL(upstream.requests(et::fake::endpoint::anthropic_messages), 1u);
}

CAF_TEST(a 429 with Retry - After is retried after that delay and then succeeds) {
  // The first request of this model gets a 429 asking for one second.
  write("providers:\n  up: {type: openai, base_url: \"" + base
        + "/v1\", headers: {x-fake-fault: rate_limit, x-fake-fail-first: \"1\", "
          "x-fake-retry-after: \"1\"}}\n"
        + "models:\n  limited: {provider: up, model: limited-model}\n"
        + "roles:\n  solo: {model: limited}\n"
        + "retry: {attempts: 3, initial_backoff: 10ms, jitter: 0}\n");
  auto start = std::chrono::steady_clock::now();
  auto r = et({"run", "--worker-role", "solo", "ping after the limit"});
  auto elapsed = std::chrono::steady_clock::now() - start;
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "ping after the limit\n");
  CAF_CHECK(has(r.err, "answered by limited after 2 attempts"));
  // The backoff alone would be 10 ms: waiting a second means Retry-After was honoured.
  CAF_CHECK_GREATER_OR_EQUAL(elapsed, 950ms);
  auto stats = upstream.snapshot();
  CAF_CHECK_EQUAL(stats.faults_by_name["rate_limit"], 1u);
  CAF_CHECK_EQUAL(upstream.requests(et::fake::endpoint::openai_chat), 2u);
}

CAF_TEST(a model cut midway is fallen back from with json but not once its text was shown) {
  write("providers:\n  up: {type: openai, base_url: \"" + base
        + "/v1\", headers: {x-fake-fault: cut, x-fake-tokens: \"40\", x-fake-mode: tokens}}\n"
        + "  ok: {type: openai, base_url: \"" + base
        + "/v1\", headers: {x-fake-mode: fixed, x-fake-text: from the spare}}\n"
        + "models:\n  cutter: {provider: up, model: cut-model}\n"
        + "  spare: {provider: ok, model: spare-model}\n"
        + "roles:\n  solo: {model: cutter, fallbacks: [spare]}\n" + "retry: {attempts: 1}\n");
  // --json shows nothing before the end: the answer is asked whole and the spare gives it.
  auto whole = et({"run", "--worker-role", "solo", "--json", "talk"});
  CAF_CHECK_EQUAL(whole.code, 0);
  auto doc = json::parse(whole.out).as_object();
  CAF_CHECK_EQUAL(doc.at("answer").as_string(), "from the spare");
  CAF_CHECK_EQUAL(doc.at("answered_by").as_string(), "spare");
  // On a terminal the cut model's text was already shown: no other model can continue it.
  auto shown = et({"run", "--worker-role", "solo", "talk"});
  CAF_CHECK_EQUAL(shown.code, 1);
  CAF_CHECK(has(shown.err, "a model cannot continue another's answer"));
}

CAF_TEST_FIXTURE_SCOPE_END()
