#define CAF_SUITE libet.routing.policy
#include "caf/test/unit_test.hpp"

#include "et/routing/policy.hpp"

using namespace et;
using namespace et::routing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

config::retry no_jitter() {
  config::retry r;
  r.attempts = 3;
  r.initial_backoff = milliseconds{500};
  r.max_backoff = seconds{4};
  r.max_wait = seconds{60};
  r.jitter = 0;
  return r;
}

failure fail(errc code, milliseconds retry_after = milliseconds{0}) {
  return failure{code, "x", retry_after, 0};
}

} // namespace

CAF_TEST(backoff doubles from the initial delay up to the cap) {
  auto r = no_jitter();
  CAF_CHECK_EQUAL(backoff(r, 1, {}, 0.5).count(), 500);
  CAF_CHECK_EQUAL(backoff(r, 2, {}, 0.5).count(), 1000);
  CAF_CHECK_EQUAL(backoff(r, 3, {}, 0.5).count(), 2000);
  CAF_CHECK_EQUAL(backoff(r, 6, {}, 0.5).count(), 4000);
}

CAF_TEST(jitter spreads the delay symmetrically) {
  auto r = no_jitter();
  r.jitter = 0.2;
  CAF_CHECK_EQUAL(backoff(r, 1, {}, 0.0).count(), 400);
  CAF_CHECK_EQUAL(backoff(r, 1, {}, 0.5).count(), 500);
  CAF_CHECK_EQUAL(backoff(r, 1, {}, 1.0).count(), 600);
}

CAF_TEST(a retry after from the server is never undercut) {
  CAF_CHECK_EQUAL(backoff(no_jitter(), 1, seconds{7}, 0.5).count(), 7000);
}

CAF_TEST(retryable errors retry until the attempts are used then fall back) {
  auto r = no_jitter();
  for (auto code :
       {errc::rate_limited, errc::overloaded, errc::server_error, errc::timeout, errc::network}) {
    auto d1 = decide(r, fail(code), 1, 0.5);
    CAF_CHECK(d1.step == next_step::retry_same);
    CAF_CHECK_EQUAL(d1.delay.count(), 500);
    CAF_CHECK(decide(r, fail(code), 2, 0.5).step == next_step::retry_same);
    CAF_CHECK(decide(r, fail(code), 3, 0.5).step == next_step::fall_back);
  }
}

CAF_TEST(a rate limit waits for its retry after) {
  auto d = decide(no_jitter(), fail(errc::rate_limited, seconds{2}), 1, 0.5);
  CAF_CHECK(d.step == next_step::retry_same);
  CAF_CHECK_EQUAL(d.delay.count(), 2000);
}

CAF_TEST(a retry after beyond max wait falls back at once) {
  auto d = decide(no_jitter(), fail(errc::rate_limited, seconds{120}), 1, 0.5);
  CAF_CHECK(d.step == next_step::fall_back);
}

CAF_TEST(context overflow and outages fall back without retrying) {
  for (auto code : {errc::context_overflow, errc::provider_down, errc::node_down, errc::auth})
    CAF_CHECK(decide(no_jitter(), fail(code), 1, 0.5).step == next_step::fall_back);
}

CAF_TEST(bad requests and unknown models fail fast) {
  for (auto code : {errc::bad_request, errc::not_found, errc::budget_exceeded, errc::cancelled})
    CAF_CHECK(decide(no_jitter(), fail(code), 1, 0.5).step == next_step::fail);
}

CAF_TEST(a deployment cools down after enough failures within the window) {
  config::cooldown c;
  c.failures = 3;
  c.window = seconds{60};
  c.period = seconds{30};
  cooldown_tracker t{c};
  auto t0 = clock::time_point{} + seconds{1000};
  CAF_CHECK(!t.failed("p/m", t0));
  CAF_CHECK(!t.failed("p/m", t0 + seconds{10}));
  CAF_CHECK(!t.cooling_until("p/m", t0 + seconds{10}));
  CAF_CHECK(t.failed("p/m", t0 + seconds{20}));
  auto until = t.cooling_until("p/m", t0 + seconds{21});
  CAF_REQUIRE(until);
  CAF_CHECK(*until == t0 + seconds{50});
  CAF_CHECK(t.cooling_until("p/m", t0 + seconds{49}));
  CAF_CHECK(!t.cooling_until("p/m", t0 + seconds{50}));
  CAF_CHECK(!t.cooling_until("other/m", t0 + seconds{21}));
}

CAF_TEST(a cooldown lasts as long as the upstream said it would be away) {
  config::cooldown c;
  c.failures = 2;
  c.period = seconds{30};
  cooldown_tracker t{c};
  auto t0 = clock::time_point{} + seconds{1000};
  CAF_CHECK(!t.failed("short", t0, seconds{3}));
  CAF_CHECK(t.failed("short", t0, seconds{3}));
  CAF_CHECK(t.cooling_until("short", t0) == t0 + seconds{3});
  CAF_CHECK(!t.failed("long", t0, seconds{90}));
  CAF_CHECK(t.failed("long", t0, seconds{90}));
  CAF_CHECK(t.cooling_until("long", t0) == t0 + seconds{90});
  CAF_CHECK(!t.failed("huge", t0, seconds{86400}));
  CAF_CHECK(t.failed("huge", t0, seconds{86400}));
  CAF_CHECK(t.cooling_until("huge", t0) == t0 + seconds{3600});
  CAF_CHECK(!t.failed("tiny", t0, std::chrono::milliseconds{20}));
  CAF_CHECK(t.failed("tiny", t0, std::chrono::milliseconds{20}));
  CAF_CHECK(t.cooling_until("tiny", t0) == t0 + seconds{1});
}

CAF_TEST(failures outside the window do not add up) {
  config::cooldown c;
  c.failures = 2;
  c.window = seconds{10};
  cooldown_tracker t{c};
  auto t0 = clock::time_point{} + seconds{1000};
  CAF_CHECK(!t.failed("k", t0));
  CAF_CHECK(!t.failed("k", t0 + seconds{11}));
  CAF_CHECK(t.failed("k", t0 + seconds{12}));
}

CAF_TEST(a success resets the failure count) {
  config::cooldown c;
  c.failures = 2;
  cooldown_tracker t{c};
  auto t0 = clock::time_point{} + seconds{1000};
  CAF_CHECK(!t.failed("k", t0));
  t.succeeded("k");
  CAF_CHECK(!t.failed("k", t0 + seconds{1}));
}

CAF_TEST(the restart budget allows N restarts per window) {
  config::supervision s;
  s.max_restarts = 2;
  s.window = seconds{10};
  restart_budget b{s};
  auto t0 = clock::time_point{} + seconds{1000};
  CAF_CHECK(b.try_restart(t0));
  CAF_CHECK(b.try_restart(t0 + seconds{1}));
  CAF_CHECK(!b.try_restart(t0 + seconds{2}));
  CAF_CHECK(b.try_restart(t0 + seconds{12}));
  CAF_CHECK_EQUAL(b.used(), 1u); // the two old restarts left the window
}
