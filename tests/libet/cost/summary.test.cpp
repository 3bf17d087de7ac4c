#define CAF_SUITE libet.cost.summary
#include "caf/test/unit_test.hpp"

#include <cmath>

#include "et/cost/summary.hpp"

using namespace et;
using namespace et::cost;

namespace {

bool near(double a, double b) {
  return std::fabs(a - b) <= 1e-12 + 1e-9 * std::fabs(b);
}

call_record call(std::string role, std::string provider, std::string model, int64_t prompt,
                 int64_t completion, std::optional<double> usd, bool ok = true) {
  call_record r;
  r.role = std::move(role);
  r.alias = model;
  r.provider = std::move(provider);
  r.model = std::move(model);
  r.tokens.prompt_tokens = prompt;
  r.tokens.completion_tokens = completion;
  r.usd = usd;
  r.ok = ok;
  r.outcome = ok ? "ok" : "server_error";
  return r;
}

summary sample() {
  summary s;
  s.add(call("mayor", "openai", "gpt-4o", 1000, 200, 0.0045));
  s.add(call("polecat", "anthropic", "claude-sonnet-4", 2000, 400, 0.012));
  s.add(call("polecat", "anthropic", "claude-sonnet-4", 0, 0, 0.0, false));
  s.add(call("witness", "local", "llama3", 500, 100, 0.0));
  s.add(call("polecat", "cloud", "gpt-oss:120b-cloud", 300, 30, std::nullopt));
  return s;
}

} // namespace

CAF_TEST(the total sums every call) {
  auto s = sample();
  CAF_CHECK(!s.empty());
  CAF_CHECK_EQUAL(s.total().requests, 5);
  CAF_CHECK_EQUAL(s.total().failures, 1);
  CAF_CHECK_EQUAL(s.total().prompt_tokens, 3800);
  CAF_CHECK_EQUAL(s.total().completion_tokens, 730);
  CAF_CHECK(near(s.total().usd, 0.0165));
  CAF_CHECK(s.total().has_unpriced);
  CAF_CHECK_EQUAL(s.total().unpriced_requests, 1);
}

CAF_TEST(spend is grouped by role) {
  auto s = sample();
  const auto& roles = s.by_role();
  CAF_REQUIRE_EQUAL(roles.size(), 3u);
  CAF_CHECK_EQUAL(roles.at("mayor").requests, 1);
  CAF_CHECK(near(roles.at("mayor").usd, 0.0045));
  CAF_CHECK_EQUAL(roles.at("polecat").requests, 3);
  CAF_CHECK_EQUAL(roles.at("polecat").failures, 1);
  CAF_CHECK(near(roles.at("polecat").usd, 0.012));
  CAF_CHECK(roles.at("polecat").has_unpriced);
  CAF_CHECK(!roles.at("witness").has_unpriced);
}

CAF_TEST(spend is grouped by provider and by model) {
  auto s = sample();
  CAF_REQUIRE_EQUAL(s.by_provider().size(), 4u);
  CAF_CHECK_EQUAL(s.by_provider().at("anthropic").requests, 2);
  CAF_CHECK_EQUAL(s.by_provider().at("anthropic").prompt_tokens, 2000);
  CAF_CHECK_EQUAL(s.by_provider().at("local").usd, 0.0);
  CAF_REQUIRE_EQUAL(s.by_model().size(), 4u);
  CAF_CHECK(near(s.by_model().at("gpt-4o").usd, 0.0045));
  CAF_CHECK_EQUAL(s.by_model().at("gpt-oss:120b-cloud").unpriced_requests, 1);
}

CAF_TEST(an empty summary has no calls) {
  summary s;
  CAF_CHECK(s.empty());
  CAF_CHECK_EQUAL(s.total(), spend{});
  CAF_CHECK(s.by_role().empty());
}

CAF_TEST(dollars show cents from one dollar up) {
  CAF_CHECK_EQUAL(format_usd(12.5), "$12.50");
  CAF_CHECK_EQUAL(format_usd(1.0), "$1.00");
  CAF_CHECK_EQUAL(format_usd(1234.567), "$1234.57");
}

CAF_TEST(amounts below a dollar show up to four decimals) {
  CAF_CHECK_EQUAL(format_usd(0.0042), "$0.0042");
  CAF_CHECK_EQUAL(format_usd(0.5), "$0.50");
  CAF_CHECK_EQUAL(format_usd(0.12345), "$0.1235");
  CAF_CHECK_EQUAL(format_usd(0.02), "$0.02");
  CAF_CHECK_EQUAL(format_usd(0.0001), "$0.0001");
}

CAF_TEST(tiny amounts keep two significant digits) {
  CAF_CHECK_EQUAL(format_usd(0.0000042), "$0.0000042");
  CAF_CHECK_EQUAL(format_usd(0.00005), "$0.00005");
  CAF_CHECK_EQUAL(format_usd(1.234e-9), "$0.0000000012");
}

CAF_TEST(zero negative and unpriced amounts are spelled out) {
  CAF_CHECK_EQUAL(format_usd(0.0), "$0.00");
  CAF_CHECK_EQUAL(format_usd(-2.5), "-$2.50");
  CAF_CHECK_EQUAL(format_usd(std::optional<double>{}), "unpriced");
  CAF_CHECK_EQUAL(format_usd(std::optional<double>{0.25}), "$0.25");
}

CAF_TEST(a spend with unpriced calls says how many) {
  spend s;
  s.add(usage{}, 0.12, true);
  CAF_CHECK_EQUAL(format_cost(s), "$0.12");
  s.add(usage{}, std::nullopt, true);
  s.add(usage{}, std::nullopt, true);
  CAF_CHECK_EQUAL(format_cost(s), "$0.12 (+2 unpriced)");
  spend none;
  none.add(usage{}, std::nullopt, true);
  CAF_CHECK_EQUAL(format_cost(none), "unpriced");
}

CAF_TEST(the table lists each group in dollars and marks unpriced ones) {
  auto text = render_table(sample());
  CAF_MESSAGE("table:\n" << text);
  auto has = [&](const std::string& part) { return text.find(part) != std::string::npos; };
  CAF_CHECK(has("by role"));
  CAF_CHECK(has("by provider"));
  CAF_CHECK(has("by model"));
  CAF_CHECK(has("mayor"));
  CAF_CHECK(has("$0.0045"));
  CAF_CHECK(has("$0.012"));
  CAF_CHECK(has("claude-sonnet-4"));
  CAF_CHECK(has("unpriced"));
  CAF_CHECK(has("$0.0165 (+1 unpriced)"));
  CAF_CHECK(has("\ntotal"));
  CAF_CHECK(has("pricing.file"));
  CAF_CHECK(has("`price: {input: USD, output: USD}`")); // the alias key the config reads
}

CAF_TEST(the table aligns its number columns) {
  summary s;
  s.add(call("a", "p", "m", 5, 1, 1.0));
  s.add(call("long-role-name", "p", "m", 12345, 1, 1.0));
  auto text = render_table(s);
  // "a" and "long-role-name" rows end their prompt column at the same offset.
  auto line_of = [&](const std::string& label) {
    auto start = text.find("\n  " + label + " ");
    CAF_REQUIRE(start != std::string::npos);
    return text.substr(start + 1, text.find('\n', start + 1) - start - 1);
  };
  auto short_row = line_of("a");
  auto long_row = line_of("long-role-name");
  CAF_CHECK_EQUAL(short_row.find("$1.00"), long_row.find("$1.00"));
  CAF_CHECK(text.find("pricing.file") == std::string::npos);
}
