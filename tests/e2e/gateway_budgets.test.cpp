#define CAF_SUITE e2e.gateway_budgets
#include "caf/test/unit_test.hpp"

#include "gateway_keys_fixture.hpp"

// A gateway key's budget as a user meets it: held across two gateway processes sharing one
// state dir, charged an estimate for what may have cost something upstream (a stream that
// broke, a request sent and never answered) and nothing for what never left, and kept to
// models with a price.

using namespace et::e2e;
using namespace et::e2e::gw;

CAF_TEST_FIXTURE_SCOPE(gateway_budgets_tests, keys_fixture)

CAF_TEST(a key with a budget is kept to priced models) {
  // An unpriced model would spend nothing of the budget: whatever it costs, the key could
  // spend without end. A key without a budget may use it; a chain with a priced model is
  // charged at its prices whichever model answers.
  auto budgeted = create("budgeted", {"--budget-day", "100"});
  auto free = create("free");
  serve();
  const std::string body = R"({"model":"gpt","max_tokens":8,)"
                           R"("messages":[{"role":"user","content":"hello"}]})";
  auto refused = oai(body, budgeted);
  CAF_CHECK_EQUAL(refused.status, 403);
  CAF_CHECK(has(refused.body, "has a price to hold it to"));
  CAF_CHECK_EQUAL(oai(body, free).status, 200);
  auto mixed = oai(R"({"model":"mixed","max_tokens":8,)"
                   R"("messages":[{"role":"user","content":"hello"}]})",
                   budgeted);
  CAF_CHECK_EQUAL(mixed.status, 200); // answered by gpt, which has no price
  auto cost = cost_once_recorded(3);
  CAF_REQUIRE_EQUAL(cost.code, 0);
  // At $1 a token (priced's), "hello" and its answer are dollars, not $0.
  auto doc = json::parse(cost.out);
  double spent = 0;
  for (const auto& row : doc.at("rows").as_array())
    if (row.at("key").as_string() == "budgeted")
      spent = row.at("usd").as_double();
  CAF_CHECK_GREATER_OR_EQUAL(spent, 2.0);
}

CAF_TEST(a budget holds across two gateways sharing a state dir) {
  auto key = create("ci", {"--budget-total", "10"});
  serve();
  serve_second();
  // Up to $9 reserved (5 prompt + 4 completion tokens, estimated), a few dollars spent.
  auto body =
      R"({"model":"priced","max_tokens":4,"messages":[{"role":"user","content":"hello gateway"}]})";
  auto first = oai(body, key);
  CAF_REQUIRE_EQUAL(first.status, 200);
  std::swap(port, second_port); // the second gateway now
  auto over = oai(body, key);
  CAF_CHECK_EQUAL(over.status, 429);
  CAF_CHECK_EQUAL(error_type(over.body), "insufficient_quota");
  CAF_CHECK(has(over.body, "total budget of $10"));
  CAF_CHECK_EQUAL(over.header("x-should-retry"), "false"); // the SDKs would retry a 429
  auto over_ant = ant(
      R"({"model":"priced","max_tokens":4,"messages":[{"role":"user","content":"hello gateway"}]})",
      key);
  CAF_CHECK_EQUAL(over_ant.status, 429);
  CAF_CHECK_EQUAL(error_type(over_ant.body), "rate_limit_error");
  std::swap(port, second_port);
  // The first gateway sees the same: the spend is in the shared ledger.
  CAF_CHECK_EQUAL(oai(body, key).status, 429);
  // The answered request is settled off the HTTP thread: wait for its record.
  auto cost = cost_once_recorded(4);
  if (!has(cost.out, R"("requests":4)")) // shown on failure: what both gateways said
    CAF_MESSAGE("cost: " << cost.out << "\nfirst gateway: " << gateway->err()
                         << "\nsecond gateway: " << second->err());
  CAF_REQUIRE_EQUAL(cost.code, 0);
  auto doc = json::parse(cost.out);
  const auto& row = doc.at("rows").at(0);
  CAF_CHECK_EQUAL(std::string{row.at("key").as_string()}, "ci");
  CAF_CHECK_EQUAL(row.at("requests").as_int64(), 4);
  CAF_CHECK_EQUAL(row.at("failures").as_int64(), 3);
  CAF_CHECK_GREATER(row.at("usd").as_double(), 1.0);
  CAF_CHECK_LESS(row.at("usd").as_double(), 10.0);
  auto table = et({"cost", "--by", "key"});
  CAF_CHECK(has(table.out, "ci "));
  CAF_CHECK(!has(table.out + cost.out, key));
}

CAF_TEST(a stream that breaks after its text is charged an estimate) {
  // The upstream bills what it streamed and the prompt even though no usage came: a client must
  // not spend past its budget by streams that end (or that it ends) before their usage.
  auto key = create("cut", {"--budget-total", "1000"});
  serve();
  auto r = oai(R"({"model":"pricedcut","stream":true,"max_tokens":8,)"
               R"("messages":[{"role":"user","content":"hello gateway"}]})",
               key);
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(has(r.body, "one"));     // text reached the client...
  CAF_CHECK(!has(r.body, "[DONE]")); // ...then the stream broke
  auto cost = cost_once_recorded(1);
  CAF_REQUIRE_EQUAL(cost.code, 0);
  auto doc = json::parse(cost.out);
  const auto& row = doc.at("rows").at(0);
  CAF_CHECK_EQUAL(row.at("failures").as_int64(), 1);
  // At $1 a token: the prompt's estimate ("hello gateway": 5 tokens) and the text streamed
  // before the break (at least "one": 2 tokens).
  CAF_CHECK_GREATER_OR_EQUAL(row.at("usd").as_double(), 7.0);
}

CAF_TEST(a timeout is charged only when the request reached the upstream) {
  // A handshake that never ends sent nothing: an outage must not eat a key's budget. A request
  // the upstream took and never answered may well be billed: its prompt's estimate is charged.
  auto key = create("timeouts", {"--budget-total", "1000"});
  serve();
  const std::string rest = R"(,"max_tokens":8,"messages":[{"role":"user","content":"hello"}]})";
  auto gone = oai(R"({"model":"pricedgone")" + rest, key);
  CAF_CHECK_GREATER_OR_EQUAL(gone.status, 500);
  CAF_CHECK(has(gone.body, "connect timeout"));
  auto cost = cost_once_recorded(1);
  CAF_REQUIRE_EQUAL(cost.code, 0);
  CAF_CHECK_EQUAL(json::parse(cost.out).at("rows").at(0).at("usd").as_double(), 0.0);
  auto hung = oai(R"({"model":"pricedhang")" + rest, key);
  CAF_CHECK_GREATER_OR_EQUAL(hung.status, 500);
  CAF_CHECK(has(hung.body, "first-byte timeout"));
  cost = cost_once_recorded(2);
  CAF_REQUIRE_EQUAL(cost.code, 0);
  // At $1 a token, "hello" is at least 2 tokens.
  CAF_CHECK_GREATER_OR_EQUAL(json::parse(cost.out).at("rows").at(0).at("usd").as_double(), 2.0);
}

CAF_TEST_FIXTURE_SCOPE_END()
