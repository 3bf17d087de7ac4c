#define CAF_SUITE libet.http.pool
#include "caf/test/unit_test.hpp"

#include "http_test_support.hpp"
#include "loopback_server.hpp"

using namespace et;
using namespace et::test;

namespace {

struct fixture {
  http::runtime rt{2};
};

http::client make_client(http::runtime& rt, std::size_t max_idle) {
  http::client_options opts;
  opts.max_idle_per_origin = max_idle;
  return http::client{rt, opts};
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_pool, fixture)

CAF_TEST(two sequential requests share one connection) {
  loopback_server server{[](const seen_request&) { return reply::ok("same"); }};
  auto client = make_client(rt, 4);
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url(), "POST")).verdict(), "ok");
  CAF_CHECK_EQUAL(server.accepted(), 1u);
  auto seen = server.requests();
  CAF_REQUIRE_EQUAL(seen.size(), 2u);
  CAF_CHECK_EQUAL(seen[1].connection, 1u);
  CAF_CHECK_EQUAL(seen[1].sequence, 2u);
  CAF_CHECK_EQUAL(client.idle_connections(parse_url(server.url()).value()), 1u);
}

CAF_TEST(a streamed response leaves its connection reusable) {
  loopback_server server{[](const seen_request&) { return reply::chunked({"a", "b", "c"}); }};
  auto client = make_client(rt, 4);
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).body(), "abc");
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).body(), "abc");
  CAF_CHECK_EQUAL(server.accepted(), 1u);
}

CAF_TEST(concurrent requests use separate connections and the pool keeps only its bound) {
  loopback_server server{
      [](const seen_request&) { return reply{}.wait_gate().send(http_response(200, "x")); }};
  auto client = make_client(rt, 1);
  recorder first;
  recorder second;
  client.send(make_request(server.url()), first.handlers());
  client.send(make_request(server.url()), second.handlers());
  // Both are in flight at once before the server answers either.
  CAF_REQUIRE(server.wait_requests(2));
  server.open_gate();
  server.open_gate();
  CAF_CHECK_EQUAL(first.wait().verdict(), "ok");
  CAF_CHECK_EQUAL(second.wait().verdict(), "ok");
  CAF_CHECK_EQUAL(server.accepted(), 2u);
  CAF_CHECK_EQUAL(client.idle_connections(parse_url(server.url()).value()), 1u);
  // The connection over the bound was closed by the client.
  CAF_CHECK(server.wait_closed(1));
  server.open_gate();
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  CAF_CHECK_EQUAL(server.accepted(), 2u);
}

CAF_TEST(a pool bound of zero keeps no connection) {
  loopback_server server{[](const seen_request&) { return reply::ok("x"); }};
  auto client = make_client(rt, 0);
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  CAF_CHECK_EQUAL(server.accepted(), 2u);
}

CAF_TEST(a response with Connection close is not pooled) {
  loopback_server server{[](const seen_request&) {
    return reply{}.send(http_response(200, "bye", {{"Connection", "close"}})).close();
  }};
  auto client = make_client(rt, 4);
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  CAF_CHECK_EQUAL(client.idle_connections(parse_url(server.url()).value()), 0u);
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  CAF_CHECK_EQUAL(server.accepted(), 2u);
}

CAF_TEST(a connection the server closed while idle is replaced even for a POST) {
  // The server closes after answering without saying so, like an idle timeout.
  loopback_server server{[](const seen_request&) { return reply::ok("once").close(); }};
  auto client = make_client(rt, 4);
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  CAF_REQUIRE(server.wait_closed(1));
  auto o = fetch(client, make_request(server.url(), "POST"));
  CAF_CHECK_EQUAL(o.verdict(), "ok");
  CAF_CHECK_EQUAL(server.accepted(), 2u);
}

CAF_TEST(a GET whose reused connection dies unanswered is retried once on a fresh one) {
  loopback_server server{[](const seen_request& r) {
    // The second request on the first connection meets a server that quit.
    return r.connection == 1 && r.sequence == 2 ? reply{}.close() : reply::ok("fine");
  }};
  auto client = make_client(rt, 4);
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  auto o = fetch(client, make_request(server.url()));
  CAF_CHECK_EQUAL(o.verdict(), "ok");
  CAF_CHECK_EQUAL(o.body(), "fine");
  CAF_CHECK_EQUAL(server.accepted(), 2u);
  CAF_CHECK_EQUAL(server.requests().size(), 3u);
}

CAF_TEST(a POST whose reused connection dies after sending is not retried) {
  loopback_server server{[](const seen_request& r) {
    return r.connection == 1 && r.sequence == 2 ? reply{}.close() : reply::ok("fine");
  }};
  auto client = make_client(rt, 4);
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  auto o = fetch(client, make_request(server.url(), "POST"));
  CAF_CHECK_EQUAL(o.verdict(), "network");
  CAF_CHECK_EQUAL(o.done_calls, 1);
  CAF_CHECK_EQUAL(server.accepted(), 1u);
  CAF_CHECK_EQUAL(server.requests().size(), 2u);
}

CAF_TEST(a GET retried once does not retry again) {
  loopback_server server{[](const seen_request& r) {
    if (r.connection == 1 && r.sequence == 1)
      return reply::ok("first");
    return reply{}.close();
  }};
  auto client = make_client(rt, 4);
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  auto o = fetch(client, make_request(server.url()));
  CAF_CHECK_EQUAL(o.verdict(), "network");
  CAF_CHECK_EQUAL(server.accepted(), 2u);
}

CAF_TEST(separate origins do not share connections) {
  loopback_server a{[](const seen_request&) { return reply::ok("a"); }};
  loopback_server b{[](const seen_request&) { return reply::ok("b"); }};
  auto client = make_client(rt, 4);
  CAF_CHECK_EQUAL(fetch(client, make_request(a.url())).body(), "a");
  CAF_CHECK_EQUAL(fetch(client, make_request(b.url())).body(), "b");
  CAF_CHECK_EQUAL(fetch(client, make_request(a.url())).body(), "a");
  CAF_CHECK_EQUAL(a.accepted(), 1u);
  CAF_CHECK_EQUAL(b.accepted(), 1u);
}

CAF_TEST(a request sent from on_done reuses the connection just released) {
  loopback_server server{[](const seen_request&) { return reply::ok("x"); }};
  auto client = make_client(rt, 4);
  recorder second;
  auto second_handlers = second.handlers();
  auto url = server.url();
  http::handlers first;
  first.on_done = [&client, url, second_handlers](result<void>) {
    client.send(make_request(url), second_handlers);
  };
  client.send(make_request(url), first);
  CAF_CHECK_EQUAL(second.wait().verdict(), "ok");
  CAF_CHECK_EQUAL(server.accepted(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
