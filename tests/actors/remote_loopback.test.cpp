#define CAF_SUITE actors.remote_loopback
#define FAIL(msg) CAF_FAIL(msg)
#include "et/actors/system_setup.hpp"
#include "mock_router.hpp"
#include "remote_test.hpp"

// alias@node over real loopback sockets: a router in one actor system using a
// node published by another, which dies, restarts, or was never there.

using namespace remote_test;

// Over real loopback sockets: real threads, so every wait is bounded.

namespace {

// What `et serve` and its callers load (apps/et/app/network.cpp), without TLS.
struct net_config : caf::actor_system_config {
  net_config() {
    et::actors::prepare_system(*this); // et's scheduler, as `et` runs it
    load<caf::io::middleman>();
    set("middleman.app-identifiers", std::vector<std::string>{routing::node_app_identifier()});
    set("middleman.heartbeat-interval", caf::timespan{std::chrono::seconds{1}});
    set("middleman.connection-timeout", caf::timespan{std::chrono::seconds{10}});
  }
};

const char* node_yaml = R"(
providers:
  sim: {type: mock, mock: {mode: echo}}
  slow: {type: mock, mock: {mode: echo, latency: 60s}}
models:
  coder: {provider: sim, model: sim-model}
  thinker: {provider: slow, model: slow-model}
retry: {attempts: 1}
)";

// A node in its own actor system, as `et serve` runs it.
struct served_node {
  net_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<config::settings> settings = load(node_yaml);
  router_actor router;
  node_impl node;
  node_door_actor door;
  uint16_t port = 0;

  explicit served_node(uint16_t want = 0) {
    router = spawn_mock_router(sys, settings);
    node = spawn_node(sys, node_setup{settings, router, {}, "n1", false, {}});
    door = spawn_node_door(sys, node); // what et serve publishes
    auto published =
        sys.middleman().publish(caf::actor_cast<node_actor>(door), want, "127.0.0.1", true);
    if (!published)
      CAF_FAIL("publish: " << sys.render(published.error()));
    port = *published;
  }

  ~served_node() {
    sys.middleman().unpublish(caf::actor_cast<node_actor>(door), port);
    caf::anon_send_exit(node, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(router, caf::exit_reason::user_shutdown);
  }

  int64_t in_flight() {
    caf::scoped_actor self{sys};
    int64_t n = -1;
    self->request(node, 5s, status_atom::value)
        .receive([&](routing::node_status& st) { n = st.in_flight; }, [](caf::error&) {});
    return n;
  }
};

// The caller: its own actor system and router, with node n1 on `port` and a
// node n2 where nothing listens.
struct caller {
  std::shared_ptr<http::runtime> http = std::make_shared<http::runtime>(1);
  net_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<config::settings> settings;
  router_actor router;

  caller(uint16_t port, uint16_t dead_port) {
    settings = load("providers: {spare: {type: mock, mock: {mode: fixed, text: spare answer}}}\n"
                    "models: {local: {provider: spare, model: spare-model}}\n"
                    "nodes:\n"
                    "  n1: {address: \"127.0.0.1:"
                    + std::to_string(port)
                    + "\", connect_timeout: 5s, request_timeout: 60s}\n"
                      "  n2: {address: \"127.0.0.1:"
                    + std::to_string(dead_port)
                    + "\", connect_timeout: 5s}\n"
                      "roles:\n"
                      "  fast: {model: coder@n1, fallbacks: [local]}\n"
                      "  deep: {model: thinker@n1, fallbacks: [local]}\n"
                      "retry: {attempts: 1}\n");
    router = spawn_router(sys, settings, make_provider_factory(http, settings));
  }

  ~caller() { caf::anon_send_exit(router, caf::exit_reason::user_shutdown); }

  caf::expected<routed_response> complete(role_request req) {
    caf::scoped_actor self{sys};
    caf::expected<routed_response> out{caf::sec::none};
    self->request(router, 20s, complete_atom::value, std::move(req))
        .receive([&](routed_response& r) { out = std::move(r); },
                 [&](caf::error& e) { out = std::move(e); });
    return out;
  }
};

// A port where nothing listens: bound by a short-lived node, then closed.
uint16_t closed_port() {
  served_node gone;
  return gone.port;
}

template <class Predicate>
bool eventually(Predicate done, std::chrono::seconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done())
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

} // namespace

CAF_TEST(a remote alias answers over the network with usage and streams its pieces) {
  served_node server;
  caller client{server.port, closed_port()};
  auto r = client.complete(ask("fast", "hello over there"));
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->response.content, "hello over there");
  CAF_CHECK_EQUAL(r->provider, "@n1");
  CAF_CHECK_EQUAL(r->model, "sim-model");
  CAF_CHECK(r->response.tokens.completion_tokens > 0);
  caf::scoped_actor self{client.sys};
  self->send(client.router, stream_atom::value, ask("fast", "one two three", {}, 77));
  std::string text;
  bool done = false;
  while (!done) {
    self->receive(
        [&](chunk_atom, const stream_chunk& c) {
          CAF_CHECK_EQUAL(c.id, 77u);
          text += c.delta.text;
        },
        [&](routed_response& answer) {
          CAF_CHECK_EQUAL(answer.response.content, "one two three");
          done = true;
        },
        [&](caf::error& e) { CAF_FAIL("stream: " << to_string(from_caf(e))); },
        caf::after(20s) >> [&] { CAF_FAIL("the stream did not finish"); });
  }
  CAF_CHECK_EQUAL(text, "one two three");
}

CAF_TEST(a node that dies mid request is noticed by monitoring and the request falls back) {
  auto server = std::make_unique<served_node>();
  auto port = server->port;
  caller client{port, closed_port()};
  auto started = std::chrono::steady_clock::now();
  auto answer = std::async(std::launch::async, [&] { return client.complete(ask("deep", "x")); });
  CAF_REQUIRE(eventually([&] { return server->in_flight() == 1; }));
  server.reset(); // the node's process ends with the request in flight
  auto r = answer.get();
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->alias, "local");
  CAF_CHECK_EQUAL(r->attempts, 2);
  // Neither the 60 s answer nor the 60 s request_timeout: the down message.
  CAF_CHECK(std::chrono::steady_clock::now() - started < 20s);
  // The node comes back on the same port and is used again.
  served_node again{port};
  auto back = client.complete(ask("fast", "welcome back"));
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->provider, "@n1");
  CAF_CHECK_EQUAL(back->response.content, "welcome back");
}

CAF_TEST(an unreachable node is node down and falls back) {
  served_node server;
  caller client{server.port, closed_port()};
  auto r = client.complete(ask("anyone", "x", "coder@n2"));
  CAF_REQUIRE(!r);
  auto f = from_caf(r.error());
  CAF_CHECK_EQUAL(f.code, errc::all_failed);
  CAF_CHECK(f.message.find("node_down") != std::string::npos);
  CAF_CHECK(f.message.find("node n2 (127.0.0.1:") != std::string::npos);
}

CAF_TEST(a remote peer can neither drain the node nor cancel the work of other callers) {
  auto server = std::make_unique<served_node>();
  caller client{server->port, closed_port()};
  // A legitimate caller's long request is in flight.
  auto work = std::async(std::launch::async, [&] { return client.complete(ask("deep", "x")); });
  CAF_REQUIRE(eventually([&] { return server->in_flight() == 1; }));
  // Another peer connects as any caller does and collects every actor that
  // ever sent it something: the published one, whoever answers a status
  // request, and whoever sends streamed pieces and the answer.
  net_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor peer{sys};
  std::vector<caf::actor> reachable;
  peer->request(sys.middleman().actor_handle(), 5s, caf::connect_atom::value,
                std::string{"127.0.0.1"}, server->port)
      .receive(
          [&](caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>&) {
            reachable.push_back(caf::actor_cast<caf::actor>(std::move(ptr)));
          },
          [&](caf::error& e) { CAF_FAIL("connect: " << sys.render(e)); });
  CAF_REQUIRE_EQUAL(reachable.size(), 1u);
  auto published = reachable.front();
  auto note_sender = [&] {
    reachable.push_back(caf::actor_cast<caf::actor>(peer->current_sender()));
  };
  peer->request(published, 10s, status_atom::value)
      .receive([&](routing::node_status&) { note_sender(); },
               [&](caf::error& e) { CAF_FAIL("status: " << sys.render(e)); });
  peer->send(published, stream_atom::value, ask("anyone", "one two", "coder", 7));
  for (bool done = false; !done;)
    peer->receive([&](chunk_atom, const stream_chunk&) { note_sender(); },
                  [&](routed_response&) {
                    note_sender();
                    done = true;
                  },
                  [&](caf::error& e) { CAF_FAIL("stream: " << sys.render(e)); },
                  caf::after(10s) >> [&] { CAF_FAIL("the stream did not finish"); });
  // Everything an attacker could send them: the owner's drain and
  // cancel-everything, and cancels for every id the other caller may use.
  for (const auto& target : reachable) {
    peer->send(target, drain_atom::value);
    peer->send(target, cancel_atom::value);
    for (uint64_t id = 0; id < 32; ++id)
      peer->send(target, cancel_atom::value, id);
  }
  // Messages over one connection arrive in order: once a status round trip
  // is done, the node has seen all of the above.
  peer->request(published, 10s, status_atom::value)
      .receive([](routing::node_status&) {}, [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
  CAF_CHECK_EQUAL(server->in_flight(), 1); // the other caller's work goes on
  auto still = client.complete(ask("fast", "still serving"));
  CAF_REQUIRE(still);
  CAF_CHECK_EQUAL(still->provider, "@n1"); // not refused into the local fallback
  CAF_CHECK_EQUAL(still->response.content, "still serving");
  server.reset();
  auto r = work.get();
  CAF_CHECK(r); // fell back once the node went away, as before
}
