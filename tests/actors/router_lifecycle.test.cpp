#define CAF_SUITE actors.router_lifecycle
#define FAIL(msg) CAF_FAIL(msg)
#include "router_test.hpp"

// The router: crashed providers restarted, streams, cancels, unknown roles.

using namespace router_test;

CAF_TEST_FIXTURE_SCOPE(router_lifecycle_tests, fixture)

CAF_TEST(a crashed provider is restarted and its request is retried on the new instance) {
  start();
  *crashes = 1;
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("crew", "boom"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->provider, "fragile");
  CAF_CHECK_EQUAL(r->response.content, "echo boom");
  CAF_CHECK_EQUAL(r->attempts, 2);
  CAF_CHECK_EQUAL(state().providers["fragile"].restarts, 1);
  CAF_CHECK(!state().providers["fragile"].down);
}

CAF_TEST(a provider that crashes with a request in flight is restarted and the request retried) {
  start();
  *crashes = 1;
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("crew", "hang"));
  sched.run();
  CAF_REQUIRE(self->mailbox().empty()); // the first instance took it and holds it
  caf::anon_send_exit(state().providers["fragile"].hdl, caf::exit_reason::unhandled_exception);
  sched.run();
  // Before the fix the request waited for its bound (timeout + 30 s) instead.
  CAF_REQUIRE(!self->mailbox().empty());
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->provider, "fragile");
  CAF_CHECK_EQUAL(r->response.content, "echo hang");
  CAF_CHECK_EQUAL(r->attempts, 2);
  CAF_CHECK_EQUAL(state().providers["fragile"].restarts, 1);
}

CAF_TEST(an attempt its provider never answers is cancelled there at its deadline and retried) {
  start([](config::settings& s) { s.providers["fragile"].timeout.total = 5s; });
  *crashes = 1; // the fragile provider holds the first "hang"
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("crew", "hang"));
  sched.run();
  CAF_REQUIRE_EQUAL(only_job().attempt_id, 1u);
  advance_time(34s); // the deadline is the provider's total timeout plus 30 s
  sched.run();
  CAF_CHECK(cancels->empty());
  CAF_CHECK_EQUAL(only_job().attempt_id, 1u);
  advance_time(1s);
  sched.run();
  CAF_CHECK_EQUAL(*cancels, std::vector<uint64_t>{1});
  CAF_REQUIRE(only_job().last_failed);
  CAF_CHECK_EQUAL(only_job().last_failed->code, errc::timeout);
  CAF_CHECK_EQUAL(only_job().last_failed->message, "no answer from the provider within 35s");
  CAF_CHECK(self->mailbox().empty());
  advance_time(1s); // the first backoff; the second attempt is answered
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "weak");
  CAF_CHECK_EQUAL(r->response.content, "echo hang");
  CAF_CHECK_EQUAL(r->attempts, 2);
  CAF_CHECK(state().jobs.empty());
  advance_time(1s); // the watchdog's last tick finds nothing and rests
  sched.run();
  CAF_CHECK(!state().watching);
}

CAF_TEST(past its restart budget a provider is down and its aliases fall back) {
  start();
  *crashes = 100;
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("crew", "boom"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "spare");
  CAF_CHECK_EQUAL(state().providers["fragile"].restarts, 2);
  CAF_CHECK(state().providers["fragile"].down);
  auto next = self->request(router, caf::infinite, complete_atom::value, ask("crew", "hi", 2));
  sched.run();
  auto next_answer = answer_of(next);
  CAF_REQUIRE(next_answer);
  CAF_CHECK_EQUAL(next_answer->attempts, 1); // the down provider is skipped
}

CAF_TEST(streamed pieces reach the requester in order with its request id) {
  start([](config::settings& s) { s.providers["primary"].mock.text = "one two three"; });
  auto rh = self->request(router, caf::infinite, stream_atom::value, ask("polecat", "hi", 42));
  sched.run();
  std::string text;
  for (uint32_t i = 0; i < 3; ++i)
    self->receive([&](chunk_atom, const stream_chunk& c) {
      CAF_CHECK_EQUAL(c.id, 42u);
      CAF_CHECK_EQUAL(c.seq, i);
      text += c.delta.text;
    });
  CAF_CHECK_EQUAL(text, "one two three");
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "one two three");
}

CAF_TEST(a stream that fails before its first piece falls back) {
  faults["primary"].push_back(fault(errc::context_overflow, {1}));
  start();
  auto rh = self->request(router, caf::infinite, stream_atom::value, ask("polecat", "hi"));
  sched.run();
  std::string text;
  self->receive([&](chunk_atom, const stream_chunk& c) {
    CAF_CHECK_EQUAL(c.seq, 0u);
    text += c.delta.text;
  });
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "spare");
  CAF_CHECK_EQUAL(text, "from ");
}

CAF_TEST(a stream that fails after its first piece reports the partial output) {
  start();
  auto rh = self->request(router, caf::infinite, stream_atom::value, ask("crew", "cut"));
  sched.run();
  int pieces = 0;
  size_t bytes = 0;
  for (int i = 0; i < 2; ++i)
    self->receive([&](chunk_atom, const stream_chunk& c) {
      ++pieces;
      bytes += c.delta.text.size();
    });
  CAF_CHECK_EQUAL(pieces, 2);
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  auto f = from_caf(r.error());
  CAF_CHECK_EQUAL(f.code, errc::stream_interrupted);
  CAF_CHECK(bytes > 0);
  CAF_CHECK(f.message.find("failed mid-answer, after " + std::to_string(bytes)
                           + " bytes had been passed on")
            != std::string::npos);
  CAF_CHECK(f.message.find("connection reset") != std::string::npos);
}

CAF_TEST(a stream whose requester shows no thinking falls back after thinking alone) {
  // A typed failure (a server error event) and a cut stream, which the provider that counted
  // the thinking it handed on calls interrupted: neither reached the requester.
  for (std::string how : {"think", "thinkcut"}) {
    CAF_MESSAGE(how);
    start();
    auto req = ask("crew", how);
    req.reasoning_unseen = true;
    auto rh = self->request(router, caf::infinite, stream_atom::value, req);
    sched.run();
    for (int backoff = 0; backoff < 3; ++backoff) { // the retries of weak, each thinking alone
      advance_time(10s);
      sched.run();
    }
    // Only the fallback's text reaches the requester, numbered from the start.
    std::string text;
    for (uint32_t i = 0; i < 2; ++i)
      self->receive([&](chunk_atom, const stream_chunk& c) {
        CAF_CHECK_EQUAL(c.seq, i);
        CAF_CHECK(c.delta.reasoning.empty() && c.delta.signature.empty());
        text += c.delta.text;
      });
    auto r = answer_of(rh);
    CAF_REQUIRE(r);
    CAF_CHECK_EQUAL(r->alias, "spare");
    CAF_CHECK_EQUAL(r->attempts, 4); // a cut is retried like a lost connection
    CAF_CHECK_EQUAL(text, "from backup");
    CAF_CHECK(self->mailbox().empty());
  }
}

CAF_TEST(a stream that breaks before its first piece is retried then falls back) {
  start();
  auto rh = self->request(router, caf::infinite, stream_atom::value, ask("crew", "empty"));
  sched.run();
  for (int backoff = 0; backoff < 3; ++backoff) {
    advance_time(10s);
    sched.run();
  }
  for (int i = 0; i < 2; ++i)
    self->receive([](chunk_atom, const stream_chunk&) {});
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "spare");
  CAF_CHECK_EQUAL(r->attempts, 4);
  // What the requester is told of the first candidate says that nothing reached it.
  CAF_REQUIRE_EQUAL(r->fallbacks.size(), 1u);
  CAF_CHECK(r->fallbacks[0].reason == errc::network);
  CAF_CHECK(r->fallbacks[0].message.find("before anything reached the requester")
            != std::string::npos);
}

CAF_TEST(a stream whose requester shows thinking cannot fall back once it was relayed) {
  start();
  auto rh = self->request(router, caf::infinite, stream_atom::value, ask("crew", "think"));
  sched.run();
  std::string thought;
  for (int i = 0; i < 2; ++i)
    self->receive([&](chunk_atom, const stream_chunk& c) { thought += c.delta.reasoning; });
  CAF_CHECK_EQUAL(thought, "let me see");
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(from_caf(r.error()).code, errc::stream_interrupted);
}

// A coding agent's conversation is 100 KB and more: a job keeps it once, not once per
// candidate, and a stream in flight keeps it only until its first piece, after which no other
// attempt can use it.
CAF_TEST(a stream keeps its conversation until its first piece went to the requester) {
  start();
  *crashes = 1; // the first "hang" is taken and never answered
  auto waiting = self->request(router, caf::infinite, stream_atom::value, ask("crew", "hang"));
  sched.run();
  auto& before = only_job();
  CAF_CHECK_EQUAL(before.content.messages.size(), 1u); // one copy for every candidate
  CAF_CHECK(before.req.request.messages.empty());
  CAF_CHECK_GREATER(before.chain.size(), 1u);
  for (const auto& c : before.chain)
    CAF_CHECK(c.request.messages.empty());
  self->send(router, cancel_atom::value, uint64_t{1});
  sched.run();
  CAF_CHECK(!answer_of(waiting));
  auto held = self->request(router, caf::infinite, stream_atom::value, ask("crew", "hold"));
  sched.run();
  for (int i = 0; i < 2; ++i)
    self->receive([](chunk_atom, const stream_chunk&) {});
  auto& after = only_job();
  CAF_CHECK_EQUAL(after.next_seq, 2u);
  CAF_CHECK(after.content.messages.empty());
  CAF_CHECK(self->mailbox().empty()); // held: no answer yet
  static_cast<void>(held);
}

// A piece for a call that is not a stream has no requester to reach: it must not cost the
// retry its conversation.
CAF_TEST(a stray piece for a whole request leaves the conversation for the retry) {
  start();
  *crashes = 1;
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("crew", "stray"));
  sched.run();
  advance_time(2s); // the server error is retried after its backoff
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "echo stray");
  CAF_CHECK_EQUAL(r->attempts, 2);
}

CAF_TEST(a cancelled request is answered with cancelled and leaves nothing behind) {
  start([](config::settings& s) { s.providers["primary"].mock.latency = 10s; });
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi", 9));
  sched.run();
  self->send(router, cancel_atom::value, uint64_t{9});
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(from_caf(r.error()).code, errc::cancelled);
  CAF_CHECK(state().jobs.empty());
  CAF_CHECK(state().attempts.empty());
}

CAF_TEST(a cancelled request ends once : a second cancel and the provider time change nothing) {
  start([](config::settings& s) { s.providers["primary"].mock.latency = 10s; });
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi", 9));
  sched.run();
  self->send(router, cancel_atom::value, uint64_t{9});
  self->send(router, cancel_atom::value, uint64_t{9});
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(from_caf(r.error()).code, errc::cancelled);
  advance_time(10s); // when the provider would have answered
  sched.run();
  CAF_CHECK(self->mailbox().empty()); // no second answer, nothing relayed
  CAF_CHECK(state().jobs.empty());
  CAF_CHECK(state().attempts.empty());
}

CAF_TEST(a requester that dies has its requests cancelled at the provider) {
  start([](config::settings& s) { s.providers["primary"].mock.latency = 10s; });
  auto r = router;
  auto asker = sys.spawn([r](caf::event_based_actor* asker_self) {
    asker_self->request(r, caf::infinite, complete_atom::value, fixture::ask("polecat", "hi"))
        .then([](const routed_response&) {}, [](const caf::error&) {});
  });
  sched.run();
  CAF_CHECK_EQUAL(state().jobs.size(), 1u);
  caf::anon_send_exit(asker, caf::exit_reason::kill);
  sched.run();
  CAF_CHECK(state().jobs.empty());
  CAF_CHECK(state().attempts.empty());
  CAF_CHECK(state().watched.empty());
}

CAF_TEST(an unknown role without defaults is a configuration error) {
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("nobody", "hi"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(from_caf(r.error()).code, errc::invalid_config);
}

CAF_TEST_FIXTURE_SCOPE_END()
