#define CAF_SUITE actors.router
#define FAIL(msg) CAF_FAIL(msg)
#include <cmath>

#include "caf/test/dsl.hpp"

#include "actor_test.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/detail/message_types.hpp"
#include "et/actors/mock_provider.hpp"
#include "et/actors/router_state.hpp"

using namespace et;
using namespace et::actors;
using namespace et::test;
using namespace std::chrono_literals;

namespace {

// A provider that crashes on "boom" (while `crashes` lasts), takes "hang"
// without ever answering it (likewise), streams two pieces and then fails on
// "cut", and otherwise echoes.
struct fragile_state {
  std::shared_ptr<int> crashes;
  std::vector<caf::typed_response_promise<chat_response>> hung; ///< taken, never answered
  static inline const char* name = "fragile";
};

provider_actor::behavior_type fragile(provider_actor::stateful_pointer<fragile_state> self,
                                      std::shared_ptr<int> crashes) {
  self->state.crashes = std::move(crashes);
  auto answer = [=](uint64_t id, const chat_request& req,
                    bool streaming) -> caf::result<chat_response> {
    auto text = req.messages.back().content;
    if (text == "boom" && *self->state.crashes > 0) {
      --*self->state.crashes;
      throw std::runtime_error("provider bug");
    }
    if (text == "hang" && *self->state.crashes > 0) {
      --*self->state.crashes;
      self->state.hung.push_back(self->make_response_promise<chat_response>());
      return caf::delegated<chat_response>{};
    }
    if (streaming) {
      auto sink = caf::actor_cast<chunk_sink>(self->current_sender());
      self->send(sink, chunk_atom::value, stream_chunk{id, 0, chunk{"part one ", ""}});
      self->send(sink, chunk_atom::value, stream_chunk{id, 1, chunk{"part two", ""}});
      if (text == "cut")
        return to_caf(make_failure(errc::server_error, "connection reset"));
    }
    chat_response r;
    r.model = req.model;
    r.content = streaming ? "part one part two" : "echo " + text;
    return r;
  };
  return {
      [=](complete_atom, uint64_t id, const chat_request& req) { return answer(id, req, false); },
      [=](stream_atom, uint64_t id, const chat_request& req) { return answer(id, req, true); },
      [=](models_atom) { return std::vector<model_info>{}; },
      [=](cancel_atom, uint64_t) {},
  };
}

const char* yaml = R"(
providers:
  primary:
    type: mock
    mock: {mode: fixed, text: "from primary"}
  backup:
    type: mock
    mock: {mode: fixed, text: "from backup"}
  fragile: {type: mock}
models:
  main: {provider: primary, model: main-model}
  spare: {provider: backup, model: spare-model}
  weak: {provider: fragile, model: weak-model}
roles:
  polecat: {model: main, fallbacks: [spare]}
  crew: {model: weak, fallbacks: [spare]}
retry: {attempts: 3, initial_backoff: 1s, max_backoff: 8s, max_wait: 60s, jitter: 0}
cooldown: {failures: 100, window: 60s, period: 30s}
supervision: {max_restarts: 2, window: 10s}
)";

struct fixture : test_coordinator_fixture<test_config> {
  std::map<std::string, std::shared_ptr<provider::mock_engine>> engines;
  std::shared_ptr<int> crashes = std::make_shared<int>(0);
  std::shared_ptr<config::settings> settings;
  router_actor router;

  // Builds the router over `yaml` after letting a test adjust the settings.
  void start(const std::function<void(config::settings&)>& adjust = {}) {
    settings = load_settings(yaml, "router-test.yaml");
    if (adjust)
      adjust(*settings);
    for (auto& [name, list] : faults)
      for (auto& f : list)
        settings->providers[name].mock.faults.push_back(f);
    for (const auto& [name, p] : settings->providers)
      engines[name] = std::make_shared<provider::mock_engine>(p.mock);
    auto crash_count = crashes;
    auto& engine_map = engines;
    router = spawn_router(
        sys, settings,
        [&engine_map, crash_count](caf::local_actor* parent,
                                   const config::provider& p) -> provider_actor {
          if (p.name == "fragile")
            return parent->spawn(fragile, crash_count);
          return spawn_mock_provider(parent, engine_map[p.name], {});
        },
        {}, 7);
    sched.run();
  }

  ~fixture() { caf::anon_send_exit(router, caf::exit_reason::user_shutdown); }

  router_state& state() {
    return deref<caf::stateful_actor<router_state, router_impl::base>>(router).state;
  }

  // Faults injected into a provider's mock; set before start().
  std::map<std::string, std::vector<config::mock_fault>> faults;

  static role_request ask(std::string role, std::string text, uint64_t id = 1) {
    role_request r;
    r.id = id;
    r.role = std::move(role);
    r.request.messages.push_back(message{et::role::user, std::move(text), {}, {}, {}});
    return r;
  }
};

config::mock_fault fault(errc code, std::vector<int64_t> calls,
                         std::chrono::milliseconds after = 0ms) {
  return config::mock_fault{code, std::move(calls), 0, after, "injected"};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(router_tests, fixture)

CAF_TEST(the primary answers and the response names it) {
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "from primary");
  CAF_CHECK_EQUAL(r->alias, "main");
  CAF_CHECK_EQUAL(r->provider, "primary");
  CAF_CHECK_EQUAL(r->model, "main-model");
  CAF_CHECK_EQUAL(r->attempts, 1);
}

CAF_TEST(each answer carries its cost priced with the alias prices) {
  start([](config::settings& s) { s.models["main"].prices = config::price{2.0, 10.0, 0, 0}; });
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  const auto& tokens = r->response.tokens;
  CAF_REQUIRE(tokens.prompt_tokens > 0 && tokens.completion_tokens > 0);
  CAF_REQUIRE(r->response.usd);
  auto expected = (tokens.prompt_tokens * 2.0 + tokens.completion_tokens * 10.0) / 1e6;
  CAF_CHECK_LESS(std::abs(*r->response.usd - expected), 1e-12);
}

CAF_TEST(the router lists the models of a provider by name and refuses unknown ones) {
  start();
  auto known = self->request(router, caf::infinite, models_atom::value, std::string{"primary"});
  sched.run();
  known.receive([](std::vector<model_info>&) {},
                [](caf::error& e) { CAF_FAIL("models: " << to_string(from_caf(e))); });
  auto unknown = self->request(router, caf::infinite, models_atom::value, std::string{"nope"});
  sched.run();
  unknown.receive([](std::vector<model_info>&) { CAF_FAIL("expected not_found"); },
                  [](caf::error& e) {
                    auto f = from_caf(e);
                    CAF_CHECK(f.code == errc::not_found);
                    CAF_CHECK_EQUAL(f.message, "no provider \"nope\"");
                  });
}

CAF_TEST(a 429 with retry after is retried after exactly that delay) {
  faults["primary"].push_back(fault(errc::rate_limited, {1}, 5s));
  start([](config::settings&) {});
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  CAF_CHECK_EQUAL(state().jobs.size(), 1u);
  advance_time(4999ms);
  sched.run();
  CAF_CHECK_EQUAL(state().jobs.size(), 1u); // still waiting
  advance_time(1ms);
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->provider, "primary");
  CAF_CHECK_EQUAL(r->attempts, 2);
}

CAF_TEST(server errors back off exponentially then fall back) {
  faults["primary"].push_back(fault(errc::server_error, {1, 2, 3}));
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  advance_time(999ms); // first backoff is 1s
  sched.run();
  CAF_CHECK_EQUAL(state().jobs.begin()->second.attempts, 1);
  advance_time(1ms);
  sched.run();
  CAF_CHECK_EQUAL(state().jobs.begin()->second.attempts, 2);
  advance_time(2s); // second backoff is 2s, then the third attempt fails too
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "spare");
  CAF_CHECK_EQUAL(r->response.content, "from backup");
  CAF_CHECK_EQUAL(r->attempts, 4);
}

CAF_TEST(context overflow falls back at once without retrying) {
  faults["primary"].push_back(fault(errc::context_overflow, {1}));
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "spare");
  CAF_CHECK_EQUAL(r->attempts, 2);
}

CAF_TEST(a bad request fails fast with the deployment named) {
  faults["primary"].push_back(fault(errc::bad_request, {1}));
  start();
  auto rh = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "hi"));
  sched.run();
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  auto f = from_caf(r.error());
  CAF_CHECK_EQUAL(f.code, errc::bad_request);
  CAF_CHECK(f.message.find("main (primary/main-model)") != std::string::npos);
}

CAF_TEST(a deployment that keeps failing cools down and is skipped) {
  faults["primary"].push_back(fault(errc::context_overflow, {1}));
  start([](config::settings& s) { s.cooldown.failures = 1; });
  auto first = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "a", 1));
  sched.run();
  auto first_answer = answer_of(first);
  CAF_REQUIRE(first_answer);
  CAF_CHECK_EQUAL(first_answer->alias, "spare");
  auto second = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "b", 2));
  sched.run();
  auto r = answer_of(second);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "spare");
  CAF_CHECK_EQUAL(r->attempts, 1); // primary was not even tried
  advance_time(30s);
  auto third = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "c", 3));
  sched.run();
  auto third_answer = answer_of(third);
  CAF_REQUIRE(third_answer);
  CAF_CHECK_EQUAL(third_answer->alias, "main"); // back after the period
}

CAF_TEST(when every candidate cools down the error says when the first returns) {
  faults["primary"].push_back(fault(errc::context_overflow, {1}));
  faults["backup"].push_back(fault(errc::context_overflow, {1}));
  start([](config::settings& s) { s.cooldown.failures = 1; });
  auto first = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "a", 1));
  sched.run();
  auto first_answer = answer_of(first);
  CAF_CHECK(!first_answer);
  advance_time(10s);
  auto second = self->request(router, caf::infinite, complete_atom::value, ask("polecat", "b", 2));
  sched.run();
  auto r = answer_of(second);
  CAF_REQUIRE(!r);
  auto f = from_caf(r.error());
  CAF_CHECK_EQUAL(f.code, errc::all_failed);
  CAF_CHECK_EQUAL(f.retry_after.count(), 20000);
  CAF_CHECK(f.message.find("cooling down") != std::string::npos);
}

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
  for (int i = 0; i < 2; ++i)
    self->receive([&](chunk_atom, const stream_chunk&) { ++pieces; });
  CAF_CHECK_EQUAL(pieces, 2);
  auto r = answer_of(rh);
  CAF_REQUIRE(!r);
  auto f = from_caf(r.error());
  CAF_CHECK_EQUAL(f.code, errc::stream_interrupted);
  CAF_CHECK(f.message.find("after 2 streamed pieces") != std::string::npos);
  CAF_CHECK(f.message.find("connection reset") != std::string::npos);
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
