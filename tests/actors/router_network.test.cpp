#define CAF_SUITE actors.router_network
#include "caf/test/unit_test.hpp"

#include "actor_test.hpp"
#include "caf/all.hpp"
#include "et/actors/detail/errors.hpp"
#include "et/actors/detail/inspect.hpp"
#include "et/actors/http_provider_actor.hpp"
#include "et/actors/router.hpp"
#include "et/actors/system_setup.hpp"
#include "et/http/runtime.hpp"
#include "fake_upstream/server.hpp"

// The router over real sockets: router -> HTTP provider actors -> loopback
// fake upstream. Real threads, so results are awaited with bounded receives.

using namespace et;
using namespace et::actors;
using namespace std::chrono_literals;

namespace {

struct system_config : caf::actor_system_config {
  system_config() {
    et::actors::prepare_system(*this); // et's scheduler, as `et` runs it
  }
};

struct fixture {
  fake::server upstream{upstream_options()};
  http::runtime runtime{1};
  std::shared_ptr<http::client> client =
      std::make_shared<http::client>(runtime, http::client_options{});
  system_config cfg;
  caf::actor_system sys{cfg};
  router_actor router;

  static fake::options upstream_options() {
    fake::options o;
    o.threads = 1;
    o.reply.mode = fake::reply_mode::fixed;
    o.reply.text = "one two three";
    return o;
  }

  fixture() {
    if (!upstream.start())
      CAF_FAIL("cannot start the fake upstream");
    auto base = "http://127.0.0.1:" + std::to_string(upstream.port()) + "/v1";
    auto yaml =
        "providers:\n"
        "  broken: {type: openai, base_url: \""
        + base
        + "\", headers: {x-fake-fault: server_error}}\n"
          "  limited: {type: anthropic, base_url: \"http://127.0.0.1:"
        + std::to_string(upstream.port())
        + "\", api_key: k, headers: {x-fake-fault: rate_limit, x-fake-retry-after: \"120\"}}\n"
          "  healthy: {type: openai, base_url: \""
        + base
        + "\"}\n"
          "models:\n"
          "  bad: {provider: broken, model: fake-small}\n"
          "  slow: {provider: limited, model: fake-small}\n"
          "  good: {provider: healthy, model: fake-small}\n"
          "roles:\n"
          "  polecat: {model: bad, fallbacks: [good]}\n"
          "  witness: {model: slow, fallbacks: [good]}\n"
          "retry: {attempts: 2, initial_backoff: 10ms, max_backoff: 20ms, max_wait: 5s}\n";
    auto settings = et::test::load_settings(yaml, "network-test.yaml");
    auto shared_client = client;
    router = spawn_router(
        sys, settings,
        [shared_client](caf::local_actor* parent, const config::provider& p) -> provider_actor {
          return spawn_http_provider(parent, shared_client, p);
        });
  }

  ~fixture() {
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
  }

  static role_request ask(std::string role) {
    role_request r;
    r.id = 5;
    r.role = std::move(role);
    r.request.messages.push_back(message{et::role::user, "hi", {}, {}, {}});
    return r;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(router_network_tests, fixture)

CAF_TEST(server errors over the network are retried then the fallback answers) {
  caf::scoped_actor self{sys};
  self->request(router, 30s, complete_atom::value, ask("polecat"))
      .receive(
          [](routed_response& r) {
            CAF_CHECK_EQUAL(r.alias, "good");
            CAF_CHECK_EQUAL(r.response.content, "one two three");
            CAF_CHECK_EQUAL(r.attempts, 3);
          },
          [](caf::error& e) { CAF_FAIL("unexpected " << to_string(from_caf(e))); });
  CAF_CHECK_EQUAL(upstream.snapshot().requests, 3u);
}

CAF_TEST(a retry after beyond the maximum wait falls back at once) {
  caf::scoped_actor self{sys};
  self->request(router, 30s, complete_atom::value, ask("witness"))
      .receive([](routed_response& r) { CAF_CHECK_EQUAL(r.attempts, 2); },
               [](caf::error& e) { CAF_FAIL("unexpected " << to_string(from_caf(e))); });
}

CAF_TEST(a stream through the router arrives in order before the reply) {
  caf::scoped_actor self{sys};
  auto req = ask("polecat");
  req.target = "good";
  self->send(router, stream_atom::value, req);
  std::string text;
  bool done = false;
  uint32_t next = 0;
  while (!done) {
    self->receive(
        [&](chunk_atom, const stream_chunk& c) {
          CAF_CHECK_EQUAL(c.id, 5u);
          CAF_CHECK_EQUAL(c.seq, next++);
          text += c.delta.text;
        },
        [&](routed_response& r) {
          CAF_CHECK_EQUAL(r.response.content, text);
          done = true;
        },
        [&](caf::error& e) { CAF_FAIL("unexpected " << to_string(from_caf(e))); },
        caf::after(30s) >> [&] { CAF_FAIL("no answer within 30s"); });
  }
  CAF_CHECK_EQUAL(text, "one two three");
  CAF_CHECK(next >= 1u); // the fake sends its events at once: they may come as one piece
}

CAF_TEST_FIXTURE_SCOPE_END()
