#define CAF_SUITE actors.node
#define FAIL(msg) CAF_FAIL(msg)
#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/ledger.hpp"
#include "et/actors/node.hpp"
#include "et/actors/router.hpp"
#include "mock_router.hpp"

// The node actor on the deterministic scheduler: forwarding by alias to a
// real router over mock providers, the max_in_flight bound, streaming,
// cancel, callers going away, draining and status.

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace std::chrono_literals;

namespace {

const char* yaml = R"(
providers:
  sim: {type: mock, mock: {mode: echo}}
  slow: {type: mock, mock: {mode: echo, latency: 1s}}
  down: {type: mock, mock: {mode: echo, faults: [{error: network, probability: 1, message: "cannot connect to 10.9.9.9:8000: Connection refused"}]}}
models:
  coder: {provider: sim, model: sim-model}
  thinker: {provider: slow, model: slow-model}
  far: {provider: down, model: down-model}
retry: {attempts: 1}
server: {max_in_flight: 2}
)";

struct fixture : test_coordinator_fixture<test_config> {
  std::shared_ptr<config::settings> settings;
  router_actor router;
  ledger_actor ledger;
  node_impl node;
  std::vector<std::string> log;

  fixture() {
    settings = load_settings(yaml, "node-test.yaml");
    settings->providers["down"].base_url = "http://10.9.9.9:8000/v1"; // where "down" would live
    ledger = spawn_ledger(sys, ledger_setup{settings, {}, nullptr, "test-run", false, {}});
    router = spawn_mock_router(sys, settings, ledger, 7);
    node = spawn_node(sys, node_setup{settings, router, ledger, "n1", false,
                                      [this](const std::string& line) { log.push_back(line); }});
    sched.run();
  }

  ~fixture() {
    caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(ledger, caf::exit_reason::user_shutdown);
  }

  static role_request ask(std::string target, std::string text, uint64_t id = 1) {
    role_request r;
    r.id = id;
    r.target = std::move(target);
    r.request.messages.push_back(message{et::role::user, std::move(text), {}, {}, {}});
    return r;
  }

  bool logged(std::string_view part) const {
    for (const auto& line : log)
      if (line.find(part) != std::string::npos)
        return true;
    return false;
  }
};

errc code_of(const caf::error& e) {
  return from_caf(e).code;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(node_tests, fixture)

CAF_TEST(a request by alias is answered by the node router with usage price and a log line) {
  auto rh = self->request(node, caf::infinite, complete_atom::value, ask("coder", "hello node"));
  sched.run();
  auto r = answer_of<routed_response>(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "hello node");
  CAF_CHECK_EQUAL(r->alias, "coder");
  CAF_CHECK_EQUAL(r->provider, "sim");
  CAF_CHECK_EQUAL(r->model, "sim-model");
  CAF_CHECK(r->response.tokens.completion_tokens > 0);
  // A mock costs $0 here, and the price travels with the answer.
  CAF_REQUIRE(r->response.usd);
  CAF_CHECK_EQUAL(*r->response.usd, 0.0);
  CAF_REQUIRE_EQUAL(log.size(), 1u);
  CAF_CHECK(log[0].starts_with("alias=coder mode=complete tokens="));
  CAF_CHECK(log[0].ends_with("outcome=ok"));
}

CAF_TEST(only aliases are served : a provider model or another node is not found) {
  for (auto target : {"sim/sim-model", "coder@elsewhere", "nope"}) {
    auto rh = self->request(node, caf::infinite, complete_atom::value, ask(target, "x"));
    sched.run();
    auto r = answer_of<routed_response>(rh);
    CAF_REQUIRE(!r);
    CAF_CHECK_EQUAL(code_of(r.error()), errc::not_found);
  }
  CAF_CHECK(logged("alias=nope mode=complete tokens=0+0"));
  CAF_CHECK(logged("outcome=not_found (node n1 has no alias \"nope\")"));
}

CAF_TEST(a failure reaches the caller naming the deployment and not its address) {
  auto rh = self->request(node, caf::infinite, complete_atom::value, ask("far", "x"));
  sched.run();
  auto r = answer_of<routed_response>(rh);
  CAF_REQUIRE(!r);
  auto f = from_caf(r.error());
  CAF_CHECK(f.message.find("cannot connect to <provider down>") != std::string::npos);
  CAF_CHECK(f.message.find("10.9.9.9") == std::string::npos);
  CAF_CHECK(logged("10.9.9.9:8000")); // the node's own log keeps it
}

CAF_TEST(a request past what the node takes is refused before its router) {
  auto huge = ask("coder", "x");
  huge.request.messages.resize(routing::remote_max_messages + 1, huge.request.messages[0]);
  auto rh = self->request(node, caf::infinite, complete_atom::value, huge);
  sched.run();
  auto r = answer_of<routed_response>(rh);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(code_of(r.error()), errc::invalid_input);
  CAF_CHECK(from_caf(r.error()).message.find("turns") != std::string::npos);
}

CAF_TEST(requests beyond max_in_flight are refused as overloaded until one finishes) {
  auto first = self->request(node, caf::infinite, complete_atom::value, ask("thinker", "a", 1));
  auto second = self->request(node, caf::infinite, complete_atom::value, ask("thinker", "b", 2));
  auto third = self->request(node, caf::infinite, complete_atom::value, ask("thinker", "c", 3));
  sched.run(); // the mock's latency is virtual: nothing answers before time moves
  auto refused = answer_of<routed_response>(third);
  CAF_REQUIRE(!refused);
  CAF_CHECK_EQUAL(code_of(refused.error()), errc::overloaded);
  CAF_CHECK(logged("outcome=overloaded (node n1 is at max_in_flight (2))"));
  advance_time(1s);
  sched.run();
  CAF_CHECK(answer_of<routed_response>(first));
  CAF_CHECK(answer_of<routed_response>(second));
  auto fourth = self->request(node, caf::infinite, complete_atom::value, ask("thinker", "d", 4));
  sched.run();
  advance_time(1s);
  sched.run();
  auto r = answer_of<routed_response>(fourth);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "d");
}

CAF_TEST(streamed pieces reach the caller in order under the caller id) {
  // A plain send: the reply then arrives as an ordinary message after the pieces.
  self->send(node, stream_atom::value, ask("coder", "one two three four", 42));
  sched.run();
  std::string text;
  uint32_t expected_seq = 0;
  bool ids_ok = true;
  bool done = false;
  while (!done) {
    self->receive(
        [&](chunk_atom, const stream_chunk& c) {
          ids_ok = ids_ok && c.id == 42 && c.seq == expected_seq++;
          text += c.delta.text;
        },
        [&](routed_response& r) {
          CAF_CHECK_EQUAL(r.response.content, "one two three four");
          done = true;
        },
        [&](caf::error& e) { CAF_FAIL("stream failed: " << to_string(from_caf(e))); });
  }
  CAF_CHECK(ids_ok);
  CAF_CHECK(expected_seq > 1u);
  CAF_CHECK_EQUAL(text, "one two three four");
  CAF_CHECK(logged("alias=coder mode=stream"));
}

CAF_TEST(a caller cancels its own request by its id) {
  auto rh = self->request(node, caf::infinite, complete_atom::value, ask("thinker", "x", 5));
  sched.run();
  self->send(node, cancel_atom::value, uint64_t{5});
  sched.run();
  auto r = answer_of<routed_response>(rh);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(code_of(r.error()), errc::cancelled);
  CAF_CHECK(logged("alias=thinker mode=complete tokens=0+0"));
  CAF_CHECK(logged("outcome=cancelled"));
}

CAF_TEST(a caller that goes away has its requests cancelled) {
  auto n = node;
  auto caller = sys.spawn([n](caf::event_based_actor* me) {
    me->request(n, caf::infinite, complete_atom::value, fixture::ask("thinker", "x", 9))
        .then([](routed_response&) {}, [](caf::error&) {});
    me->quit(); // gone before any answer
  });
  sched.run();
  CAF_CHECK(logged("outcome=cancelled"));
  caf::anon_send_exit(caller, caf::exit_reason::user_shutdown);
}

CAF_TEST(a job cancelled by its caller and by the owner ends once and is served once) {
  auto rh = self->request(node, caf::infinite, complete_atom::value, ask("thinker", "x", 5));
  sched.run();
  self->send(node, cancel_atom::value, uint64_t{5});
  caf::anon_send(node, cancel_atom::value);
  sched.run();
  auto r = answer_of<routed_response>(rh);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(code_of(r.error()), errc::cancelled);
  auto drained = self->request(node, caf::infinite, drain_atom::value);
  sched.run();
  auto served = answer_of<int64_t>(drained);
  CAF_REQUIRE(served);
  CAF_CHECK_EQUAL(*served, 1);
  advance_time(1s); // when the answer would have come
  sched.run();
  CAF_CHECK(self->mailbox().empty());
}

CAF_TEST(drain refuses new requests and answers once work in flight is done) {
  auto work = self->request(node, caf::infinite, complete_atom::value, ask("thinker", "x", 1));
  auto drained = self->request(node, caf::infinite, drain_atom::value);
  sched.run();
  auto late = self->request(node, caf::infinite, complete_atom::value, ask("coder", "y", 2));
  sched.run();
  auto refused = answer_of<routed_response>(late);
  CAF_REQUIRE(!refused);
  CAF_CHECK_EQUAL(code_of(refused.error()), errc::node_down);
  advance_time(1s);
  sched.run();
  CAF_CHECK(answer_of<routed_response>(work));
  auto served = answer_of<int64_t>(drained);
  CAF_REQUIRE(served);
  CAF_CHECK_EQUAL(*served, 1); // a refusal is not a request served
}

CAF_TEST(status reports name aliases load and spend) {
  auto work = self->request(node, caf::infinite, complete_atom::value, ask("thinker", "x", 1));
  sched.run();
  auto rh = self->request(node, caf::infinite, status_atom::value);
  sched.run();
  auto st = answer_of<routing::node_status>(rh);
  CAF_REQUIRE(st);
  CAF_CHECK_EQUAL(st->name, "n1");
  CAF_REQUIRE_EQUAL(st->aliases.size(), 3u);
  CAF_CHECK_EQUAL(st->aliases[0].id, "coder");
  CAF_CHECK_EQUAL(st->aliases[0].display_name, "sim/sim-model");
  CAF_CHECK_EQUAL(st->aliases[1].id, "far");
  CAF_CHECK_EQUAL(st->aliases[2].id, "thinker");
  CAF_CHECK_EQUAL(st->in_flight, 1);
  CAF_CHECK_EQUAL(st->max_in_flight, 2);
  CAF_CHECK_EQUAL(st->served, 0);
  CAF_CHECK(!st->tls);
  advance_time(1s);
  sched.run();
  CAF_CHECK(answer_of<routed_response>(work));
}

CAF_TEST(cancel from the owner stops everything in flight) {
  auto a = self->request(node, caf::infinite, complete_atom::value, ask("thinker", "x", 1));
  auto b = self->request(node, caf::infinite, stream_atom::value, ask("thinker", "y", 2));
  sched.run();
  caf::anon_send(node, cancel_atom::value);
  sched.run();
  auto ra = answer_of<routed_response>(a);
  CAF_REQUIRE(!ra);
  CAF_CHECK_EQUAL(code_of(ra.error()), errc::cancelled);
  auto rb = answer_of<routed_response>(b);
  CAF_REQUIRE(!rb);
  CAF_CHECK_EQUAL(code_of(rb.error()), errc::cancelled);
}

CAF_TEST(the router sees the remote role and the request clamped to the alias limits) {
  // A router that only records what the node asks of it.
  auto seen = std::make_shared<std::vector<role_request>>();
  auto recorder = sys.spawn([seen](router_actor::pointer) -> router_actor::behavior_type {
    auto answer = [seen](role_request& req) {
      seen->push_back(req);
      routed_response r;
      r.alias = req.target;
      return r;
    };
    return {
        [=](complete_atom, role_request& req) { return answer(req); },
        [=](stream_atom, role_request& req) { return answer(req); },
        [](chunk_atom, const stream_chunk&) {},
        [](cancel_atom, uint64_t) {},
        [](models_atom, const std::string&) { return std::vector<model_info>{}; },
        [](embed_atom, const role_embed_request&) { return routed_embedding{}; },
        [](count_atom, const role_request&) { return routed_response{}; },
    };
  });
  auto limited = load_settings(R"(
providers: {sim: {type: mock}}
models:
  coder: {provider: sim, model: m, max_tokens: 500, num_ctx: 4096, keep_alive: 5m}
defaults: {max_tokens: 1000}
)",
                               "node-limits.yaml");
  auto n = spawn_node(sys, node_setup{limited, recorder, {}, "n1", false, {}});
  auto greedy = ask("coder", "x", 3);
  greedy.role = "mayor"; // a claim: the node does not know who the caller is
  greedy.request.max_tokens = 1'000'000;
  greedy.request.num_ctx = 1'000'000;
  greedy.request.temperature = 9.0;
  greedy.request.keep_alive = "-1";
  auto rh = self->request(n, caf::infinite, complete_atom::value, greedy);
  sched.run();
  CAF_CHECK(answer_of<routed_response>(rh));
  CAF_REQUIRE_EQUAL(seen->size(), 1u);
  const auto& got = seen->front();
  CAF_CHECK_EQUAL(got.role, "remote");
  CAF_CHECK(got.request.max_tokens == std::optional<int32_t>{500});
  CAF_CHECK(got.request.num_ctx == std::optional<int32_t>{4096});
  CAF_CHECK(got.request.temperature == std::optional<double>{2.0});
  CAF_CHECK_EQUAL(got.request.keep_alive, "5m");
  caf::anon_send_exit(n, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(recorder, caf::exit_reason::user_shutdown);
}

CAF_TEST(through the door a caller cancels only its own requests and cannot drain) {
  auto door = spawn_node_door(sys, node);
  auto mine = self->request(door, caf::infinite, complete_atom::value, ask("thinker", "x", 5));
  sched.run();
  // Another caller: the same id cancels nothing of ours; drain and the
  // owner's cancel-everything are not part of the door's interface.
  caf::scoped_actor other{sys};
  other->send(door, cancel_atom::value, uint64_t{5});
  auto untyped = caf::actor_cast<caf::actor>(door);
  other->send(untyped, drain_atom::value);
  other->send(untyped, cancel_atom::value);
  sched.run();
  advance_time(1s);
  sched.run();
  auto r = answer_of<routed_response>(mine);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "x");
  // Still serving, and the owner of a request can cancel it through the door.
  auto again = self->request(door, caf::infinite, complete_atom::value, ask("thinker", "y", 6));
  sched.run();
  self->send(door, cancel_atom::value, uint64_t{6});
  sched.run();
  auto cancelled = answer_of<routed_response>(again);
  CAF_REQUIRE(!cancelled);
  CAF_CHECK_EQUAL(code_of(cancelled.error()), errc::cancelled);
}

CAF_TEST(streamed pieces through the door carry the caller id) {
  auto door = spawn_node_door(sys, node);
  self->send(door, stream_atom::value, ask("coder", "a b c", 42));
  sched.run();
  std::string text;
  bool done = false;
  while (!done)
    self->receive(
        [&](chunk_atom, const stream_chunk& c) {
          CAF_CHECK_EQUAL(c.id, 42u);
          text += c.delta.text;
        },
        [&](routed_response&) { done = true; },
        [&](caf::error& e) { CAF_FAIL("stream failed: " << to_string(from_caf(e))); });
  CAF_CHECK_EQUAL(text, "a b c");
}

CAF_TEST_FIXTURE_SCOPE_END()
