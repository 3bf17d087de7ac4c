#define CAF_SUITE apps.run
#include "caf/test/unit_test.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <iterator>

#include "app_test.hpp"
#include "et/store/ledger_store.hpp"

// `et run` in single mode on the in-process mock provider.

namespace {

struct fixture : et::test::scratch_dir {
  std::filesystem::path file = dir / "et.yaml";

  fixture() : scratch_dir("run-test") {}

  void write(const std::string& mock) {
    std::ofstream{file} << "providers:\n"
                        << "  sim: {type: mock, mock: " << mock << "}\n"
                        << "  spare: {type: mock, mock: {mode: fixed, text: from the spare}}\n"
                        << "models:\n"
                        << "  main: {provider: sim, model: main}\n"
                        << "  backup: {provider: spare, model: backup}\n"
                        << "roles:\n"
                        << "  solo: {model: main, fallbacks: [backup]}\n"
                        << "  crowd: {model: main, pool: [main, backup]}\n"
                        << "retry: {attempts: 1}\n"
                        << "defaults: {state_dir: state}\n";
  }

  et::test::outcome et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(file.string());
    return et::test::run_in_process(args);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(run_tests, fixture)

CAF_TEST(a single worker streams its answer and reports usage) {
  write("{mode: fixed, text: \"def f():\\n    return 42\\n\"}");
  auto r = et({"run", "--worker-role", "solo", "write f"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "def f():\n    return 42\n");
  CAF_CHECK(r.err.find("answered by main after 1 attempt") != std::string::npos);
  CAF_CHECK(r.err.find("completion") != std::string::npos);
}

CAF_TEST(flags may follow the task) {
  write("{mode: echo}");
  auto r = et({"run", "echo me", "--worker-role", "solo"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "echo me\n");
}

CAF_TEST(a failing primary falls back before the first token) {
  write("{mode: echo, faults: [{error: server_error, on_calls: [1]}]}");
  auto r = et({"run", "--worker-role", "solo", "hi"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "from the spare\n");
  CAF_CHECK(r.err.find("answered by backup after 2 attempts") != std::string::npos);
}

CAF_TEST(a refused key on the primary says why in one line and counts the fallback) {
  write("{mode: echo, faults: [{error: auth, on_calls: [1], message: invalid key}]}");
  auto r = et({"run", "--worker-role", "solo", "hi"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "from the spare\n");
  CAF_CHECK(r.err.starts_with("main: authentication failed; answered by backup\n"));
  CAF_CHECK(r.err.find("answered by backup after 2 attempts (1 fallback: 1 auth)\n")
            != std::string::npos);
}

CAF_TEST(an answer from the primary mentions no fallback) {
  write("{mode: echo}");
  auto r = et({"run", "--worker-role", "solo", "hi"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(r.err.starts_with("answered by main after 1 attempt\n"));
}

CAF_TEST(a request the provider rejects fails with exit code 1 and the reason) {
  write("{mode: echo, faults: [{error: bad_request, on_calls: [1], message: no such tool}]}");
  auto r = et({"run", "--worker-role", "solo", "hi"});
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK(r.err.find("et run: bad_request: main (sim/main): no such tool") != std::string::npos);
}

CAF_TEST(every call lands in the persistent ledger) {
  write("{mode: echo}");
  CAF_REQUIRE_EQUAL(et({"run", "--worker-role", "solo", "one"}).code, 0);
  CAF_REQUIRE_EQUAL(et({"run", "--worker-role", "solo", "two"}).code, 0);
  auto ledger = et::store::open_sqlite_ledger(dir / "state" / "ledger.sqlite");
  CAF_REQUIRE(ledger);
  auto calls = (*ledger)->since(0);
  CAF_REQUIRE(calls);
  CAF_CHECK_EQUAL(calls->size(), 2u);
  CAF_CHECK_NOT_EQUAL((*calls)[0].run_id, (*calls)[1].run_id);
}

CAF_TEST(the timeout cancels the request in flight) {
  write("{mode: echo, latency: 30s}");
  auto r = et({"run", "--worker-role", "solo", "--timeout", "1", "hi"});
  CAF_CHECK_EQUAL(r.code, 1);
  CAF_CHECK(r.err.find("timed out after 1s (--timeout)") != std::string::npos);
}

CAF_TEST(pool mode needs a supervisor role) {
  write("{mode: echo}");
  auto r = et({"run", "--worker-role", "crowd", "hi"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(r.err.find("unknown role \"mayor\"") != std::string::npos);
}

CAF_TEST(a near miss of a configured role is refused even with a default model) {
  write("{mode: echo}");
  { // defaults.model serves the roles the config does not name
    std::ifstream in{file};
    std::string text{std::istreambuf_iterator<char>{in}, {}};
    auto at = text.find("defaults: {state_dir: state}");
    CAF_REQUIRE(at != std::string::npos);
    text.replace(at, 28, "defaults: {state_dir: state, model: main}");
    std::ofstream{file, std::ios::trunc} << text;
  }
  // A role the config does not name runs on defaults.model...
  auto custom = et({"run", "--worker-role", "translator", "hi"});
  CAF_CHECK_EQUAL(custom.code, 0);
  // ...but not a typo of one it does: that would lose the role's fallbacks silently.
  auto typo = et({"run", "--worker-role", "sola", "hi"});
  CAF_CHECK_EQUAL(typo.code, 2);
  CAF_CHECK(typo.err.find("unknown role \"sola\"; did you mean \"solo\"?") != std::string::npos);
}

CAF_TEST(a missing task is a usage error) {
  write("{mode: echo}");
  auto r = et({"run", "--worker-role", "solo"});
  CAF_CHECK_EQUAL(r.code, 2);
  CAF_CHECK(r.err.find("task") != std::string::npos);
}

CAF_TEST(json in single mode is one document whether the answer came or not ) {
  write("{mode: echo, faults: [{error: server_error, on_calls: [1]}]}");
  auto ok = et({"run", "--worker-role", "solo", "--json", "echo me"});
  CAF_CHECK_EQUAL(ok.code, 0);
  auto doc = boost::json::parse(ok.out).as_object(); // nothing but the document on stdout
  CAF_CHECK_EQUAL(doc.at("mode").as_string(), "single");
  CAF_CHECK_EQUAL(doc.at("status").as_string(), "done");
  CAF_CHECK_EQUAL(doc.at("answer").as_string(), "from the spare");
  CAF_CHECK_EQUAL(doc.at("answered_by").as_string(), "backup");
  CAF_CHECK_EQUAL(doc.at("fallbacks").as_array().size(), 1u);
  CAF_CHECK(doc.at("spend").as_object().contains("usd"));
  write("{mode: echo, faults: [{error: bad_request, on_calls: [1], message: no such tool}]}");
  auto failed = et({"run", "--worker-role", "solo", "--json", "hi"});
  CAF_CHECK_EQUAL(failed.code, 1);
  auto bad = boost::json::parse(failed.out).as_object();
  CAF_CHECK_EQUAL(bad.at("status").as_string(), "failed");
  CAF_CHECK(bad.at("error").as_string().find("no such tool") != boost::json::string::npos);
}

CAF_TEST(a retry single mode waits for is said as the wait starts) {
  write("{mode: echo, faults: [{error: rate_limited, on_calls: [1], retry_after: 1s}]}");
  std::string yaml;
  {
    std::ifstream in{file};
    yaml.assign(std::istreambuf_iterator<char>{in}, {});
  }
  yaml.replace(yaml.find("retry: {attempts: 1}"), 20, "retry: {attempts: 2, jitter: 0}");
  std::ofstream{file, std::ios::trunc} << yaml;
  auto r = et({"run", "--worker-role", "solo", "wait for me"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK_EQUAL(r.out, "wait for me\n");
  CAF_CHECK(r.err.find("et run: main (sim/main): ") != std::string::npos);
  CAF_CHECK(r.err.find("rate limited; asking it again in 1s (attempt 2)\n") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
