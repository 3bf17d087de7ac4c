#define CAF_SUITE libet.http.whole
#include "caf/test/unit_test.hpp"

#include "et/http/whole.hpp"
#include "et/wire/classify.hpp"
#include "http_test_support.hpp"
#include "loopback_server.hpp"

// send_whole: one exchange waited for whole, what the Qdrant client and the page fetcher use.

using namespace et;
using namespace et::test;
using namespace std::chrono_literals;

namespace {

struct fixture {
  http::runtime rt{1};
  http::client client{rt, {}};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_whole, fixture)

CAF_TEST(a chunked answer arrives whole with its status and headers) {
  loopback_server server{[](const seen_request&) {
    return reply{}
        .send(http_head(201, {{"Transfer-Encoding", "chunked"},
                              {"Content-Type", "text/plain"},
                              {"X-Twice", "first"},
                              {"x-twice", "second"}}))
        .send(et::test::chunk("hello "))
        .pause(20ms)
        .send(et::test::chunk("world"))
        .send(last_chunk());
  }};
  auto got = http::send_whole(client, make_request(server.url(), "GET", "/page"));
  CAF_REQUIRE(got);
  CAF_CHECK_EQUAL(got->status, 201);
  CAF_CHECK_EQUAL(got->body, "hello world");
  CAF_CHECK_EQUAL(wire::find_header(got->headers, "content-type").value_or(""), "text/plain");
  CAF_CHECK_EQUAL(wire::find_header(got->headers, "X-TWICE").value_or(""), "first");
  CAF_CHECK_EQUAL(wire::find_header(got->headers, "x-missing").value_or(""), "");
  CAF_CHECK_EQUAL(got->headers.size(), 4u);
}

CAF_TEST(an error status is an answer and a refused connection a failure) {
  loopback_server server{
      [](const seen_request&) { return reply{}.send(http_response(503, R"({"status":"busy"})")); }};
  auto busy = http::send_whole(client, make_request(server.url()));
  CAF_REQUIRE(busy);
  CAF_CHECK_EQUAL(busy->status, 503);
  CAF_CHECK_EQUAL(busy->body, R"({"status":"busy"})");
  auto refused =
      http::send_whole(client, make_request("http://127.0.0.1:" + std::to_string(unused_port())));
  CAF_REQUIRE(!refused);
  CAF_CHECK(refused.error().code == errc::network);
}

CAF_TEST(the total timeout ends the wait on a server that never answers) {
  loopback_server server{[](const seen_request&) { return reply{}.stall(); }};
  auto req = make_request(server.url());
  req.timeouts.first_byte = 0ms; // only the total bounds it
  req.timeouts.idle = 0ms;
  req.timeouts.total = 200ms;
  auto got = http::send_whole(client, std::move(req));
  CAF_REQUIRE(!got);
  CAF_CHECK(got.error().code == errc::timeout);
}

CAF_TEST_FIXTURE_SCOPE_END()
