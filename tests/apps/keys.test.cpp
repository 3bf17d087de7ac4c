#define CAF_SUITE apps.keys
#include "caf/test/unit_test.hpp"

#include <fstream>
#include <stdlib.h>

#include "app_test.hpp"
#include "et/store/key_store.hpp"

// `et keys create|list|revoke` in process: the key printed once on its own
// line, flags refused naming the flag, names checked and never reused, the
// list without the key, and `et cost --by key`.

namespace {

struct fixture : et::test::scratch_dir {
  std::filesystem::path file = dir / "et.yaml";

  fixture() : scratch_dir("keys-test") {
    std::ofstream{file} << "providers: {sim: {type: mock}}\n"
                        << "models: {a: {provider: sim, model: m}}\n"
                        << "defaults: {state_dir: state}\n";
  }

  et::test::outcome et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(file.string());
    return et::test::run_in_process(args);
  }

  bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(keys_tests, fixture)

CAF_TEST(create prints the key once and list never shows it) {
  auto made = et({"keys", "create", "ci", "--budget-day", "2", "--budget-total", "20", "--models",
                  "a", "--rpm", "30", "--tpm", "5000"});
  CAF_REQUIRE_EQUAL(made.code, 0);
  auto key = made.out.substr(0, made.out.find('\n'));
  CAF_CHECK_EQUAL(made.out, key + "\n");
  CAF_CHECK_EQUAL(key.rfind("et-", 0), 0u);
  CAF_CHECK(!has(made.err, key));
  CAF_CHECK(has(made.err, "shown only this once"));
  auto listed = et({"keys", "list"});
  CAF_CHECK_EQUAL(listed.code, 0);
  CAF_CHECK(has(listed.out, "ci: created "));
  CAF_CHECK(has(listed.out, "$2.00/day, $20.00 total, 30 rpm, 5000 tpm, models a"));
  CAF_CHECK(!has(listed.out + listed.err, key));
  auto store = et::store::key_store::open(dir / "state" / "ledger.sqlite");
  CAF_REQUIRE(store);
  auto found = (*store)->find(key);
  CAF_REQUIRE(found && *found);
  CAF_CHECK_EQUAL((*found)->name, "ci");
  auto again = et({"keys", "create", "ci"});
  CAF_CHECK_EQUAL(again.code, et::app::exit_usage);
  CAF_CHECK(has(again.err, "a key named \"ci\" exists already"));
  CAF_CHECK(et({"keys", "revoke", "ci"}).code == 0);
  CAF_CHECK(has(et({"keys", "list"}).out, "ci (revoked)"));
  auto twice = et({"keys", "revoke", "ci"});
  CAF_CHECK_EQUAL(twice.code, 0);
  CAF_CHECK_EQUAL(twice.err, "et keys revoke: key \"ci\" was revoked already\n");
  auto none = et({"keys", "revoke", "nobody"});
  CAF_CHECK_EQUAL(none.code, et::app::exit_usage);
  CAF_CHECK(has(none.err, "no key named \"nobody\""));
}

CAF_TEST(bad flags and names are refused naming them) {
  struct bad {
    std::vector<std::string> args;
    std::string says;
  };
  for (const auto& b : std::vector<bad>{
           {{"--budget-day", "-1"}, "--budget-day: expected dollars (0 or more), got \"-1\""},
           {{"--budget-total", "lots"}, "--budget-total: expected dollars"},
           {{"--rpm", "0"}, "--rpm: expected a whole number of requests, 1 or more"},
           {{"--tpm", "1.5"}, "--tpm: expected a whole number of tokens, 1 or more"},
           {{"--models", "a,,b"}, "--models: expected model names separated by commas"}}) {
    std::vector<std::string> args{"keys", "create", "k"};
    args.insert(args.end(), b.args.begin(), b.args.end());
    auto r = et(args);
    CAF_CHECK_EQUAL(r.code, et::app::exit_usage);
    CAF_CHECK(has(r.err, b.says));
    CAF_CHECK(r.out.empty());
  }
  auto name = et({"keys", "create", "a/b"});
  CAF_CHECK_EQUAL(name.code, et::app::exit_usage);
  CAF_CHECK(has(name.err, "NAME \"a/b\": a key name holds only letters"));
  auto unknown = et({"keys", "create", "k2", "--models", "nope"});
  CAF_CHECK_EQUAL(unknown.code, 0); // a warning: the configuration may grow the model later
  CAF_CHECK(has(unknown.err, "\"nope\" is not a role, alias or provider/model"));
  CAF_CHECK(has(et({"keys", "list"}).out, "no gateway keys") == false);
}

CAF_TEST(cost by key sums the gateway requests of each key) {
  {
    auto store = et::store::key_store::open(dir / "state" / "ledger.sqlite");
    CAF_REQUIRE(store);
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    for (auto [key, usd, status] : std::vector<std::tuple<std::string, double, int>>{
             {"ci", 0.25, 200}, {"ci", 0.5, 200}, {"ci", 0, 429}, {"", 1.0, 200}}) {
      et::store::key_request r;
      r.key = key;
      r.model = "a";
      r.unix_ms = now;
      r.tokens.prompt_tokens = 10;
      r.tokens.completion_tokens = 5;
      r.usd = usd; // a refusal sent nothing: $0, as the gateway records it
      r.status = status;
      CAF_REQUIRE((*store)->settle(0, r));
    }
  }
  auto r = et({"cost", "--by", "key"});
  CAF_CHECK_EQUAL(r.code, 0);
  CAF_CHECK(has(r.out, "ci            3        1           30           15  $0.75\n"));
  CAF_CHECK(has(r.out, "(open)        1        0           10            5  $1.00\n"));
  auto none = et({"cost", "--by", "role"});
  CAF_CHECK(has(none.out, "no calls recorded")); // the router's calls are elsewhere
}

CAF_TEST(keys and the ledger need no provider key exported) {
  std::ofstream{file} << "providers:\n  sim: {type: mock}\n"
                      << "  claude: {type: anthropic, api_key: $ET_KEYS_TEST_UNSET_KEY}\n"
                      << "models: {a: {provider: sim, model: m}}\n"
                      << "defaults: {state_dir: state}\n";
  ::unsetenv("ET_KEYS_TEST_UNSET_KEY");
  for (auto args : {std::vector<std::string>{"keys", "create", "ops"},
                    {"keys", "list"},
                    {"keys", "revoke", "ops"},
                    {"cost"},
                    {"runs"}}) {
    auto r = et(args);
    CAF_CHECK_EQUAL(r.code, 0);
    CAF_CHECK(!has(r.err, "ET_KEYS_TEST_UNSET_KEY"));
  }
  // A command that calls providers still says what is missing.
  auto check = et({"config", "check"});
  CAF_CHECK_EQUAL(check.code, 2);
  CAF_CHECK(has(check.err, "environment variable ET_KEYS_TEST_UNSET_KEY is not set"));
}

CAF_TEST_FIXTURE_SCOPE_END()
