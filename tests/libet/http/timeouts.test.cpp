#define CAF_SUITE libet.http.timeouts
#include "caf/test/unit_test.hpp"

#include "http_test_support.hpp"
#include "loopback_server.hpp"

#include <optional>

using namespace et;
using namespace et::test;
using namespace std::chrono_literals;

// Limits here are short so the suite is quick; the assertions are about the
// class of the error and which limit fired, never about elapsed time.

CAF_TEST(a server that never answers trips the first byte timeout) {
  loopback_server server{[](const seen_request&) { return reply{}.stall(); }};
  http::runtime rt{2};
  http::client client{rt, {}};
  auto req = make_request(server.url());
  req.timeouts.first_byte = 200ms;
  auto o = fetch(client, req);
  CAF_CHECK_EQUAL(o.verdict(), "timeout");
  CAF_CHECK(contains(o.message(), "first-byte"));
  CAF_CHECK(contains(o.message(), "127.0.0.1:" + std::to_string(server.port())));
  CAF_CHECK(!o.head.has_value());
  CAF_CHECK(!o.unsent()); // it was sent: the server may be working on it
}

CAF_TEST(a TLS handshake that never completes trips the connect timeout) {
  silent_listener silent;
  http::runtime rt{2};
  http::client client{rt, {}};
  auto req = make_request("https://127.0.0.1:" + std::to_string(silent.port()));
  req.timeouts.connect = 200ms;
  auto o = fetch(client, req);
  CAF_CHECK_EQUAL(o.verdict(), "timeout");
  CAF_CHECK(contains(o.message(), "connect timeout"));
  CAF_CHECK(contains(o.message(), "127.0.0.1:" + std::to_string(silent.port())));
  CAF_CHECK(o.unsent()); // typed: nothing reached the server, nothing is billed
}

CAF_TEST(a listener that never answers a plain request trips the first byte timeout) {
  silent_listener silent;
  http::runtime rt{2};
  http::client client{rt, {}};
  auto req = make_request("http://127.0.0.1:" + std::to_string(silent.port()), "POST");
  req.body = "{}";
  req.timeouts.first_byte = 200ms;
  CAF_CHECK_EQUAL(fetch(client, req).verdict(), "timeout");
}

CAF_TEST(a stream that stalls mid body trips the idle timeout) {
  loopback_server server{[](const seen_request&) {
    return reply{}.send(http_head(200, {{"Transfer-Encoding", "chunked"}}) + chunk("one")).stall();
  }};
  http::runtime rt{2};
  http::client client{rt, {}};
  auto req = make_request(server.url());
  req.timeouts.idle = 200ms;
  auto o = fetch(client, req);
  CAF_CHECK_EQUAL(o.verdict(), "timeout");
  CAF_CHECK(contains(o.message(), "idle"));
  CAF_CHECK_EQUAL(o.body(), "one");
}

CAF_TEST(headers that never finish trip the idle timeout) {
  loopback_server server{
      [](const seen_request&) { return reply{}.send("HTTP/1.1 200 OK\r\nContent-Ty").stall(); }};
  http::runtime rt{2};
  http::client client{rt, {}};
  auto req = make_request(server.url());
  req.timeouts.idle = 200ms;
  auto o = fetch(client, req);
  CAF_CHECK_EQUAL(o.verdict(), "timeout");
  CAF_CHECK(contains(o.message(), "headers"));
}

CAF_TEST(a steady trickle trips the total timeout not the idle one) {
  loopback_server server{[](const seen_request&) {
    reply r;
    r.send(http_head(200, {{"Transfer-Encoding", "chunked"}}));
    for (int i = 0; i < 400; ++i)
      r.send(chunk("tick ")).pause(25ms);
    return r.send(last_chunk());
  }};
  http::runtime rt{2};
  http::client client{rt, {}};
  auto req = make_request(server.url());
  req.timeouts.idle = 5s;
  req.timeouts.total = 300ms;
  auto o = fetch(client, req);
  CAF_CHECK_EQUAL(o.verdict(), "timeout");
  CAF_CHECK(contains(o.message(), "total"));
  CAF_CHECK(contains(o.body(), "tick"));
}

// The deadlines move with every step without re-arming a timer each time (lazy_timer):
// a wait that ends before the current deadline must wait again, never fail the exchange.
CAF_TEST(a body slower than the first byte limit but within the idle limit completes) {
  loopback_server server{[](const seen_request&) {
    reply r;
    r.send(http_head(200, {{"Transfer-Encoding", "chunked"}}) + chunk("early"));
    return r.pause(600ms).send(chunk(" late") + last_chunk());
  }};
  http::runtime rt{2};
  http::client client{rt, {}};
  auto req = make_request(server.url());
  req.timeouts.first_byte = 200ms;
  req.timeouts.idle = 5s;
  auto o = fetch(client, req);
  CAF_CHECK_EQUAL(o.verdict(), "ok");
  CAF_CHECK_EQUAL(o.body(), "early late");
}

CAF_TEST(pieces that keep coming within the idle limit outlast it in all) {
  loopback_server server{[](const seen_request&) {
    reply r;
    r.send(http_head(200, {{"Transfer-Encoding", "chunked"}}));
    for (int i = 0; i < 6; ++i)
      r.send(chunk("tick ")).pause(250ms);
    return r.send(last_chunk());
  }};
  http::runtime rt{2};
  http::client client{rt, {}};
  auto req = make_request(server.url());
  req.timeouts.idle = 1s; // 1.5 s in all, never 1 s without a piece
  auto o = fetch(client, req);
  CAF_CHECK_EQUAL(o.verdict(), "ok");
  CAF_CHECK_EQUAL(o.body(), "tick tick tick tick tick tick ");
}

CAF_TEST(a zero limit disables that timeout) {
  loopback_server server{
      [](const seen_request&) { return reply{}.wait_gate().send(http_response(200, "late")); }};
  http::runtime rt{2};
  http::client client{rt, {}};
  auto req = make_request(server.url());
  req.timeouts.first_byte = 0ms;
  req.timeouts.total = 0ms;
  recorder rec;
  client.send(req, rec.handlers());
  CAF_REQUIRE(server.wait_requests(1));
  server.open_gate();
  CAF_CHECK_EQUAL(rec.wait().verdict(), "ok");
}

CAF_TEST(cancelling a streaming request reports cancelled exactly once) {
  loopback_server server{[](const seen_request&) {
    return reply{}.send(http_head(200, {{"Transfer-Encoding", "chunked"}}) + chunk("a")).stall();
  }};
  std::optional<recorder> rec{std::in_place};
  {
    http::runtime rt{2};
    http::client client{rt, {}};
    auto handle = client.send(make_request(server.url()), rec->handlers());
    CAF_REQUIRE(rec->wait_pieces(1));
    handle.cancel();
    handle.cancel(); // a second cancel changes nothing
    CAF_CHECK_EQUAL(rec->wait().verdict(), "cancelled");
    // Destroying the client and runtime joins the I/O threads, so any late
    // callback would have run by now.
  }
  auto o = rec->snapshot();
  CAF_CHECK_EQUAL(o.done_calls, 1);
  CAF_CHECK_EQUAL(o.body(), "a");
}

CAF_TEST(cancelling before the response began reports cancelled) {
  loopback_server server{[](const seen_request&) { return reply{}.stall(); }};
  http::runtime rt{2};
  http::client client{rt, {}};
  recorder rec;
  auto handle = client.send(make_request(server.url()), rec.handlers());
  CAF_REQUIRE(server.wait_requests(1));
  handle.cancel();
  auto o = rec.wait();
  CAF_CHECK_EQUAL(o.verdict(), "cancelled");
  CAF_CHECK(!o.head.has_value());
}

CAF_TEST(cancelling right after sending reports cancelled or completes but never both) {
  loopback_server server{[](const seen_request&) { return reply::ok("quick"); }};
  std::vector<recorder> recs(20);
  {
    http::runtime rt{2};
    http::client client{rt, {}};
    for (auto& rec : recs)
      client.send(make_request(server.url()), rec.handlers()).cancel();
    for (auto& rec : recs)
      rec.wait();
  }
  for (auto& rec : recs) {
    auto o = rec.snapshot();
    CAF_CHECK_EQUAL(o.done_calls, 1);
    CAF_CHECK(o.verdict() == "cancelled" || o.verdict() == "ok");
  }
}

CAF_TEST(cancelling a completed request changes nothing) {
  loopback_server server{[](const seen_request&) { return reply::ok("done"); }};
  recorder rec;
  {
    http::runtime rt{2};
    http::client client{rt, {}};
    auto handle = client.send(make_request(server.url()), rec.handlers());
    CAF_CHECK_EQUAL(rec.wait().verdict(), "ok");
    handle.cancel();
  }
  CAF_CHECK_EQUAL(rec.snapshot().done_calls, 1);
  CAF_CHECK_EQUAL(rec.snapshot().verdict(), "ok");
}

CAF_TEST(an empty exchange handle can be cancelled harmlessly) {
  http::exchange none;
  none.cancel();
  CAF_CHECK(true);
}
