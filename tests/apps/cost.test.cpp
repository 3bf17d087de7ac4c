#define CAF_SUITE apps.cost
#include "caf/test/unit_test.hpp"

#include <fstream>
#include <sstream>

#include "app_test.hpp"
#include "et/store/ledger_store.hpp"

namespace {

struct fixture : et::test::scratch_dir {
  std::filesystem::path file = dir / "et.yaml";

  fixture() : scratch_dir("cost-test") {
    std::ofstream{file} << "providers: {sim: {type: mock}}\n"
                        << "models: {a: {provider: sim, model: m}}\n"
                        << "defaults: {state_dir: state}\n";
  }

  void record(const std::string& role, const std::string& model, std::optional<double> usd,
              int64_t age_days = 0) {
    auto ledger = et::store::open_sqlite_ledger(dir / "state" / "ledger.sqlite");
    CAF_REQUIRE(ledger);
    et::store::stored_call c;
    c.run_id = "r";
    c.call.role = role;
    c.call.provider = "sim";
    c.call.model = model;
    c.call.tokens.prompt_tokens = 100;
    c.call.tokens.completion_tokens = 50;
    c.call.usd = usd;
    c.call.unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count()
                     - age_days * 86'400'000;
    CAF_REQUIRE((*ledger)->append(c));
  }

  // The exit code and stdout followed by stderr.
  std::pair<int, std::string> et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(file.string());
    auto r = et::test::run_in_process(args);
    return {r.code, r.out + r.err};
  }
};

std::string line_of(const std::string& text, const std::string& start) {
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    if (line.rfind(start, 0) == 0)
      return line;
  return {};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(cost_tests, fixture)

CAF_TEST(an empty ledger says so and where it looked) {
  auto [code, out] = et({"cost"});
  CAF_CHECK_EQUAL(code, 0);
  CAF_CHECK(out.find("no calls recorded since") != std::string::npos);
  CAF_CHECK(out.find("ledger.sqlite") != std::string::npos);
}

CAF_TEST(spend is grouped by role with a total) {
  record("mayor", "m", 0.25);
  record("polecat", "m", 0.5);
  record("polecat", "m", std::nullopt);
  auto [code, out] = et({"cost", "--by", "role"});
  CAF_CHECK_EQUAL(code, 0);
  CAF_CHECK(line_of(out, "mayor").find("$0.25") != std::string::npos);
  CAF_CHECK(line_of(out, "polecat").find("$0.50 (+1 unpriced)") != std::string::npos);
  CAF_CHECK(line_of(out, "total").find("$0.75 (+1 unpriced)") != std::string::npos);
}

CAF_TEST(calls older than the period are left out) {
  record("mayor", "m", 1.0, 10);
  record("mayor", "m", 0.5, 0);
  auto [code, out] = et({"cost", "--days", "7", "--json"});
  CAF_CHECK_EQUAL(code, 0);
  CAF_CHECK(out.find("\"requests\":1,") != std::string::npos);
  CAF_CHECK(out.find("\"usd\":0.5") != std::string::npos); // as people write money, not 5E-1
}

CAF_TEST(an unknown grouping is a usage error) {
  auto [code, out] = et({"cost", "--by", "team"});
  CAF_CHECK_EQUAL(code, 2);
  CAF_CHECK(out.find("--by") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
