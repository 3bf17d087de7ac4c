#define CAF_SUITE actors.gateway_calls
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "et/actors/gateway_calls.hpp"
#include "et/actors/ledger.hpp"
#include "mock_router.hpp"

// The gateway's desks on the deterministic scheduler, in front of a real router over mock
// providers: several calls open on one desk at once each get their own pieces and answer,
// cancelling one leaves the others alone, and a callback that throws ends only its own call.

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace std::chrono_literals;

namespace {

const char* yaml = R"(
providers:
  sim: {type: mock, mock: {mode: echo}}
  slow: {type: mock, mock: {mode: echo, latency: 1s}}
models:
  coder: {provider: sim, model: sim-model}
  thinker: {provider: slow, model: slow-model}
retry: {attempts: 1}
)";

// What one call saw, in order.
struct seen {
  std::string pieces;            ///< the streamed text, in order
  bool pieces_after_end = false; ///< a piece came after on_done
  int ends = 0;                  ///< on_done calls
  std::optional<result<routed_response>> answer;
};

struct fixture : test_coordinator_fixture<test_config> {
  router_actor router;
  ledger_actor ledger;
  std::unique_ptr<gateway_calls> calls;

  fixture() {
    auto settings = load_settings(yaml, "gateway-calls-test.yaml");
    ledger = spawn_ledger(sys, ledger_setup{settings, {}, nullptr, "test-run", false, {}});
    router = spawn_mock_router(sys, settings, ledger, 7);
    // One desk: every call of a test shares it.
    calls = std::make_unique<gateway_calls>(sys, router, 1);
    sched.run();
  }

  ~fixture() {
    calls.reset();
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  }

  static role_request ask(std::string target, std::string text, uint64_t id) {
    role_request r;
    r.id = gateway_request_ids + id;
    r.target = std::move(target);
    r.request.messages.push_back(message{et::role::user, std::move(text), {}, {}, {}});
    return r;
  }

  // Starts a call whose callbacks record into `s`.
  void start(seen& s, role_request req, bool streaming) {
    calls->start(std::move(req), streaming,
                 {[&s](const stream_chunk& c) {
                    s.pieces += c.delta.text;
                    s.pieces_after_end = s.pieces_after_end || s.ends > 0;
                  },
                  [&s](result<routed_response> r, std::optional<errc>) {
                    ++s.ends;
                    s.answer = std::move(r);
                  }});
  }
};

errc code_of(const seen& s) {
  return s.answer && !*s.answer ? s.answer->error().code : errc::invalid_input;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_calls_tests, fixture)

CAF_TEST(calls open at once on one desk each get their own pieces and answer) {
  seen a;
  seen b;
  seen c;
  start(a, ask("coder", "one two three", 1), true);
  start(b, ask("coder", "four five six seven", 2), true);
  start(c, ask("coder", "whole", 3), false);
  sched.run();
  for (auto* s : {&a, &b, &c}) {
    CAF_REQUIRE(s->answer);
    CAF_REQUIRE(*s->answer);
    CAF_CHECK_EQUAL(s->ends, 1);
    CAF_CHECK(!s->pieces_after_end);
  }
  CAF_CHECK_EQUAL(a.pieces, "one two three");
  CAF_CHECK_EQUAL((*a.answer)->response.content, "one two three");
  CAF_CHECK_EQUAL(b.pieces, "four five six seven");
  CAF_CHECK_EQUAL((*b.answer)->response.content, "four five six seven");
  CAF_CHECK_EQUAL(c.pieces, ""); // not streamed
  CAF_CHECK_EQUAL((*c.answer)->response.content, "whole");
}

CAF_TEST(a cancelled call ends as cancelled and the others on its desk go on) {
  seen slow;
  seen other;
  start(slow, ask("thinker", "x", 1), false);
  start(other, ask("thinker", "y", 2), false);
  sched.run();
  calls->cancel(gateway_request_ids + 1);
  sched.run();
  CAF_CHECK_EQUAL(slow.ends, 1);
  CAF_CHECK_EQUAL(code_of(slow), errc::cancelled);
  CAF_CHECK_EQUAL(other.ends, 0);
  advance_time(1s); // when the answers would have come
  sched.run();
  CAF_CHECK_EQUAL(slow.ends, 1);
  CAF_REQUIRE(other.answer);
  CAF_REQUIRE(*other.answer);
  CAF_CHECK_EQUAL((*other.answer)->response.content, "y");
  // Cancelling an answered call does nothing.
  calls->cancel(gateway_request_ids + 2);
  sched.run();
  CAF_CHECK_EQUAL(other.ends, 1);
}

CAF_TEST(a callback that throws ends its own call and not the desk) {
  seen broken;
  calls->start(ask("coder", "one two three", 1), true,
               {[](const stream_chunk&) { throw std::runtime_error{"cannot relay"}; },
                [&broken](result<routed_response> r, std::optional<errc>) {
                  ++broken.ends;
                  broken.answer = std::move(r);
                }});
  sched.run();
  CAF_CHECK_EQUAL(broken.ends, 1);
  CAF_CHECK_EQUAL(code_of(broken), errc::cancelled);
  seen later;
  start(later, ask("coder", "still here", 2), true);
  sched.run();
  CAF_REQUIRE(later.answer);
  CAF_REQUIRE(*later.answer);
  CAF_CHECK_EQUAL(later.pieces, "still here");
}

CAF_TEST(a desk that fails ends its open calls and a new desk carries the next ones) {
  seen open;
  start(open, ask("thinker", "x", 1), false);
  sched.run();
  auto first = calls->desk_for(gateway_request_ids + 1);
  caf::anon_send_exit(first, caf::exit_reason::kill);
  sched.run();
  CAF_CHECK_EQUAL(open.ends, 1); // at once, not at the client's timeout
  CAF_CHECK_EQUAL(code_of(open), errc::cancelled);
  CAF_CHECK_NOT_EQUAL(calls->desk_for(gateway_request_ids + 2), first);
  seen later;
  start(later, ask("coder", "still carried", 2), true);
  sched.run();
  CAF_REQUIRE(later.answer);
  CAF_REQUIRE(*later.answer);
  CAF_CHECK_EQUAL(later.pieces, "still carried");
  advance_time(1s); // when the failed call's answer would have come
  sched.run();
  CAF_CHECK_EQUAL(open.ends, 1);
}

CAF_TEST(a call sent to a desk as it fails ends as cancelled instead of being lost) {
  auto first = calls->desk_for(gateway_request_ids + 1);
  caf::anon_send_exit(first, caf::exit_reason::kill); // read before anything else it holds
  seen late;
  start(late, ask("coder", "x", 1), false); // in its mailbox when it ends
  sched.run();
  CAF_CHECK_EQUAL(late.ends, 1);
  CAF_CHECK_EQUAL(code_of(late), errc::cancelled);
  seen next;
  start(next, ask("coder", "carried", 2), false);
  sched.run();
  CAF_REQUIRE(next.answer);
  CAF_CHECK(*next.answer);
}

CAF_TEST(calls still open when the desks stop get no answer and no desk replaces them) {
  seen open;
  start(open, ask("thinker", "x", 1), false);
  sched.run();
  auto first = calls->desk_for(gateway_request_ids + 1);
  calls->stop();
  sched.run();
  advance_time(1s);
  sched.run();
  CAF_CHECK_EQUAL(open.ends, 0);
  CAF_CHECK_EQUAL(calls->desk_for(gateway_request_ids + 1), first);
}

CAF_TEST_FIXTURE_SCOPE_END()
