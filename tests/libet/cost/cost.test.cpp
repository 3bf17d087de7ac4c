#define CAF_SUITE libet.cost.cost
#include "caf/test/unit_test.hpp"

#include <cmath>

#include "et/cost/cost.hpp"
#include "et/cost/summary.hpp"

using namespace et;
using namespace et::cost;

namespace {

bool near(double a, double b) {
  return std::fabs(a - b) <= 1e-12 + 1e-9 * std::fabs(b);
}

// $3 / $15 per million, cache read $0.30, cache write $3.75 (Claude Sonnet).
model_price sonnet() {
  model_price p;
  p.input_per_token = 3e-06;
  p.output_per_token = 15e-06;
  p.cache_read_per_token = 0.3e-06;
  p.cache_write_per_token = 3.75e-06;
  p.source = "test";
  return p;
}

usage tokens(int64_t prompt, int64_t completion, int64_t cache_read = 0, int64_t cache_write = 0,
             int64_t reasoning = 0) {
  usage u;
  u.prompt_tokens = prompt;
  u.completion_tokens = completion;
  u.cache_read_tokens = cache_read;
  u.cache_write_tokens = cache_write;
  u.reasoning_tokens = reasoning;
  return u;
}

} // namespace

CAF_TEST(uncached prompt and completion tokens are billed at their prices) {
  // 1000 * 3e-6 + 500 * 15e-6 = 0.003 + 0.0075
  CAF_CHECK(near(cost_usd(tokens(1000, 500), sonnet()), 0.0105));
}

CAF_TEST(a single token costs exactly its price) {
  CAF_CHECK(near(cost_usd(tokens(1, 0), sonnet()), 3e-06));
  CAF_CHECK(near(cost_usd(tokens(0, 1), sonnet()), 15e-06));
  CAF_CHECK_EQUAL(cost_usd(tokens(0, 0), sonnet()), 0.0);
}

CAF_TEST(cached prompt tokens are billed at the cache prices and not twice) {
  // prompt 10000 includes 6000 read and 2000 written: 2000 uncached.
  // 2000*3e-6 + 6000*0.3e-6 + 2000*3.75e-6 + 100*15e-6
  //   = 0.006 + 0.0018 + 0.0075 + 0.0015 = 0.0168
  CAF_CHECK(near(cost_usd(tokens(10'000, 100, 6'000, 2'000), sonnet()), 0.0168));
}

CAF_TEST(reasoning tokens are part of the completion and not billed again) {
  auto with = cost_usd(tokens(100, 1000, 0, 0, 800), sonnet());
  auto without = cost_usd(tokens(100, 1000), sonnet());
  CAF_CHECK_EQUAL(with, without);
  CAF_CHECK(near(with, 100 * 3e-06 + 1000 * 15e-06));
}

CAF_TEST(more cached tokens than prompt tokens never give a negative input charge) {
  // Inconsistent counts: only the cache charges remain.
  CAF_CHECK(near(cost_usd(tokens(100, 0, 150, 0), sonnet()), 150 * 0.3e-06));
}

CAF_TEST(a million tokens cost the price per million) {
  CAF_CHECK(near(cost_usd(tokens(1'000'000, 1'000'000), sonnet()), 18.0));
}

CAF_TEST(an unpriced model has no cost) {
  CAF_CHECK(!cost_usd(tokens(10, 10), std::optional<model_price>{}));
  auto priced = cost_usd(tokens(10, 10), std::optional<model_price>{sonnet()});
  CAF_REQUIRE(priced);
  CAF_CHECK(near(*priced, 10 * 3e-06 + 10 * 15e-06));
}

CAF_TEST(a spend counts calls failures tokens and cost) {
  spend s;
  s.add(tokens(100, 50, 20, 10, 5), 0.25, true);
  s.add(tokens(0, 0), 0.0, false);
  CAF_CHECK_EQUAL(s.requests, 2);
  CAF_CHECK_EQUAL(s.failures, 1);
  CAF_CHECK_EQUAL(s.prompt_tokens, 100);
  CAF_CHECK_EQUAL(s.completion_tokens, 50);
  CAF_CHECK_EQUAL(s.cache_read_tokens, 20);
  CAF_CHECK_EQUAL(s.cache_write_tokens, 10);
  CAF_CHECK_EQUAL(s.reasoning_tokens, 5);
  CAF_CHECK(near(s.usd, 0.25));
  CAF_CHECK(!s.has_unpriced);
  CAF_CHECK_EQUAL(s.unpriced_requests, 0);
}

CAF_TEST(an unpriced call marks the spend without adding dollars) {
  spend s;
  s.add(tokens(100, 50), 0.5, true);
  s.add(tokens(1000, 500), std::nullopt, true);
  CAF_CHECK(near(s.usd, 0.5));
  CAF_CHECK(s.has_unpriced);
  CAF_CHECK_EQUAL(s.unpriced_requests, 1);
  CAF_CHECK_EQUAL(s.prompt_tokens, 1100);
  // A request refused before it used a token (a gateway's 400 or 429) cost nothing, price or
  // none: it is a failure, not spend of unknown size.
  s.add(tokens(0, 0), std::nullopt, false);
  CAF_CHECK_EQUAL(s.unpriced_requests, 1);
  CAF_CHECK_EQUAL(s.failures, 1);
}

CAF_TEST(an estimate is kept apart from what providers reported) {
  spend s;
  s.add(tokens(100, 50), 0.25, true);
  s.add(tokens(0, 0), 0.0, false);            // refused: nothing used
  s.add(tokens(400, 30), 0.125, false, true); // timed out after reading the prompt
  s.add(tokens(10, 10), std::nullopt, false, true);
  s.add(tokens(7, 0), 0.5, false); // a failed request the upstream reported (a gateway 502)
  CAF_CHECK_EQUAL(s.requests, 5);
  CAF_CHECK_EQUAL(s.failures, 4);
  CAF_CHECK_EQUAL(s.prompt_tokens, 107);
  CAF_CHECK_EQUAL(s.completion_tokens, 50);
  CAF_CHECK(near(s.usd, 0.75));
  CAF_CHECK(!s.has_unpriced); // an estimate without a price is no unpriced answer
  CAF_CHECK_EQUAL(s.estimated_requests, 2);
  CAF_CHECK(near(s.estimated_usd, 0.125));
  CAF_CHECK_EQUAL(estimated_note(spend{}), "");
  CAF_CHECK(estimated_note(s).starts_with("estimated: about $0.125 more for 2 attempts"));
  spend unpriced; // no price: no "$0.00" that reads as measured
  unpriced.add(tokens(10, 0), std::nullopt, false, true);
  CAF_CHECK(estimated_note(unpriced).starts_with("estimated: no cost known for 1 attempt that"));
  // The router's failed records with usage are its estimates.
  call_record timed_out;
  timed_out.ok = false;
  timed_out.tokens = tokens(400, 30);
  CAF_CHECK(timed_out.estimated());
  timed_out.tokens = {};
  CAF_CHECK(!timed_out.estimated());
}

CAF_TEST(adding spends sums every field) {
  spend a;
  a.add(tokens(10, 20, 1, 2, 3), 1.0, true);
  spend b;
  b.add(tokens(100, 200, 10, 20, 30), std::nullopt, true);
  b.add(tokens(1, 1), 0.5, true);
  b.add(tokens(0, 0), 0.0, false);
  b.add(tokens(5, 5), 0.25, false, true);
  a += b;
  CAF_CHECK_EQUAL(a.requests, 5);
  CAF_CHECK_EQUAL(a.failures, 2);
  CAF_CHECK(near(a.estimated_usd, 0.25));
  CAF_CHECK_EQUAL(a.estimated_requests, 1);
  CAF_CHECK_EQUAL(a.prompt_tokens, 111);
  CAF_CHECK_EQUAL(a.completion_tokens, 221);
  CAF_CHECK_EQUAL(a.cache_read_tokens, 11);
  CAF_CHECK_EQUAL(a.cache_write_tokens, 22);
  CAF_CHECK_EQUAL(a.reasoning_tokens, 33);
  CAF_CHECK(near(a.usd, 1.5));
  CAF_CHECK(a.has_unpriced);
  CAF_CHECK_EQUAL(a.unpriced_requests, 1);
}

CAF_TEST(a failed attempt is likely billed only when it reached a provider that worked on it) {
  auto fail = [](errc code, int status = 0) { return failure{code, "x", {}, status}; };
  // Sent and then lost: the provider was working on it.
  CAF_CHECK(likely_billed(fail(errc::timeout), 0));
  CAF_CHECK(likely_billed(fail(errc::stream_interrupted), 0));
  CAF_CHECK(likely_billed(fail(errc::server_error), 12)); // it streamed first
  // Never sent, or the server waited for us (408), or refused: nothing produced.
  auto unsent = fail(errc::timeout);
  unsent.unsent = true;
  CAF_CHECK(!likely_billed(unsent, 0));
  CAF_CHECK(!likely_billed(fail(errc::timeout, 408), 0));
  for (auto code : {errc::rate_limited, errc::overloaded, errc::auth, errc::network,
                    errc::bad_request, errc::cancelled, errc::all_failed})
    CAF_CHECK(!likely_billed(fail(code), 0));
  // A request's final failure that says so of itself (a node's router, or ours).
  auto billed = fail(errc::all_failed);
  billed.billed = true;
  CAF_CHECK(likely_billed(billed, 0));
}
