#define CAF_SUITE actors.router_estimates
#define FAIL(msg) CAF_FAIL(msg)
#include "router_test.hpp"

// The router records what a failed attempt likely cost: an estimate apart from reported spend
// for a stream that broke or was cancelled after pieces and for a timeout after sending, none
// for one never sent, and a request's final error says whether any attempt was billed.

using namespace router_test;

CAF_TEST_FIXTURE_SCOPE(router_estimates_tests, fixture)

CAF_TEST(a stream that breaks after pieces is charged an estimate apart from reported spend) {
  with_ledger = true;
  start([](config::settings& s) { s.models["weak"].prices = config::price{2, 8, 0, 0}; });
  auto rh = self->request(router, caf::infinite, stream_atom::value, ask("crew", "cut"));
  sched.run();
  for (int i = 0; i < 2; ++i)
    self->receive([](chunk_atom, const stream_chunk&) {});
  CAF_REQUIRE(!answer_of(rh));
  auto sum = self->request(ledger, caf::infinite, summary_atom::value);
  sched.run();
  auto report = answer_of<cost::cost_report>(sum);
  CAF_REQUIRE(report);
  CAF_CHECK_EQUAL(report->failures, 1);
  // Nothing was reported: the totals stay what providers said.
  CAF_CHECK_EQUAL(report->usd, 0.0);
  CAF_CHECK_EQUAL(report->prompt_tokens + report->completion_tokens, 0);
  // The provider read the prompt and streamed 17 bytes ("part one part two"): 6 tokens out.
  CAF_CHECK_EQUAL(report->estimated_requests, 1);
  CAF_CHECK_GREATER_OR_EQUAL(report->estimated_usd, (2.0 + 6 * 8.0) / 1e6);
  CAF_CHECK_LESS(report->estimated_usd, (100 * 2.0 + 6 * 8.0) / 1e6);
  CAF_CHECK_NOT_EQUAL(report->table.find("estimated: about"), std::string::npos);
}

CAF_TEST(a stream cancelled after pieces is charged an estimate and one before is not ) {
  with_ledger = true;
  start([](config::settings& s) { s.models["weak"].prices = config::price{2, 8, 0, 0}; });
  *crashes = 1; // the first "hang" is taken and never answered
  auto quiet = self->request(router, caf::infinite, stream_atom::value, ask("crew", "hang", 1));
  sched.run();
  self->send(router, cancel_atom::value, uint64_t{1});
  sched.run();
  CAF_CHECK(!from_caf(answer_of(quiet).error()).billed);
  auto held = self->request(router, caf::infinite, stream_atom::value, ask("crew", "hold", 2));
  sched.run();
  for (int i = 0; i < 2; ++i)
    self->receive([](chunk_atom, const stream_chunk&) {});
  self->send(router, cancel_atom::value, uint64_t{2});
  sched.run();
  auto r = answer_of(held);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(from_caf(r.error()).code, errc::cancelled);
  CAF_CHECK(from_caf(r.error()).billed);
  auto sum = self->request(ledger, caf::infinite, summary_atom::value);
  sched.run();
  auto report = answer_of<cost::cost_report>(sum);
  CAF_REQUIRE(report);
  CAF_CHECK_EQUAL(report->failures, 1); // the one that streamed; nothing came of the other
  CAF_CHECK_EQUAL(report->estimated_requests, 1);
  CAF_CHECK_GREATER_OR_EQUAL(report->estimated_usd, (2.0 + 6 * 8.0) / 1e6);
}

CAF_TEST(only a timeout after the request was sent is charged an estimate) {
  with_ledger = true;
  faults["primary"] = {
      config::mock_fault{errc::timeout, {1}, 0, 0ms, "connect timeout (5s) expired", true},
      config::mock_fault{errc::timeout, {2}, 0, 0ms, "first-byte timeout (60s) expired", false},
      config::mock_fault{errc::bad_request, {3}, 0, 0ms, "refused", false}};
  start([](config::settings& s) {
    s.models["main"].prices = config::price{2, 8, 0, 0};
    s.retry.attempts = 4;
  });
  faults.clear();
  // The answer says, typed, that the request may have cost something despite failing.
  auto r = answer_after_backoffs(ask("polecat", "hello"));
  CAF_REQUIRE(!r);
  CAF_CHECK(from_caf(r.error()).billed);
  auto sum = self->request(ledger, caf::infinite, summary_atom::value);
  sched.run();
  auto report = answer_of<cost::cost_report>(sum);
  CAF_REQUIRE(report);
  CAF_CHECK_EQUAL(report->failures, 3);
  CAF_CHECK_EQUAL(report->estimated_requests, 1); // the first-byte timeout's: sent, then lost
  CAF_CHECK_GREATER(report->estimated_usd, 0.0);
}

CAF_TEST(a request that never reached a provider is not called billed) {
  faults["primary"] = {
      config::mock_fault{errc::timeout, {1, 2, 3, 4}, 0, 0ms, "connect timeout (5s)", true}};
  start([](config::settings& s) {
    s.retry.attempts = 2;
    s.roles["polecat"].fallbacks.clear(); // so the request fails
  });
  faults.clear();
  auto r = answer_after_backoffs(ask("polecat", "hello"));
  CAF_REQUIRE(!r);
  CAF_CHECK(!from_caf(r.error()).billed);
}

CAF_TEST_FIXTURE_SCOPE_END()
