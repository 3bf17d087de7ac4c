#define CAF_SUITE libet.http.tls
#include "caf/test/unit_test.hpp"

#include "http_test_support.hpp"
#include "loopback_server.hpp"

using namespace et;
using namespace et::test;

namespace {

// One identity per suite run: key generation is the slow part.
const tls_identity& identity() {
  static const tls_identity id = make_self_signed();
  return id;
}

http::client_options trusting(const temp_file& ca) {
  http::client_options opts;
  opts.tls.ca_file = ca.path();
  return opts;
}

reply hello(const seen_request&) {
  return reply::ok("secure hello");
}

struct fixture {
  http::runtime rt{2};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_tls, fixture)

CAF_TEST(a self signed certificate is rejected by default) {
  loopback_server server{hello, &identity()};
  http::client client{rt, {}};
  auto o = fetch(client, make_request(server.url()));
  CAF_CHECK_EQUAL(o.verdict(), "network");
  CAF_CHECK(contains(o.message(), "certificate verification failed"));
  CAF_CHECK(contains(o.message(), "127.0.0.1:" + std::to_string(server.port())));
  CAF_MESSAGE("rejected: " << o.message());
}

CAF_TEST(a configured CA file makes the self signed server trusted) {
  loopback_server server{hello, &identity()};
  temp_file ca{identity().cert_pem};
  http::client client{rt, trusting(ca)};
  auto o = fetch(client, make_request(server.url()));
  CAF_CHECK_EQUAL(o.verdict(), "ok");
  CAF_CHECK_EQUAL(o.body(), "secure hello");
}

CAF_TEST(the host name is sent as SNI) {
  loopback_server server{hello, &identity()};
  temp_file ca{identity().cert_pem};
  http::client client{rt, trusting(ca)};
  auto o = fetch(client, make_request("https://localhost:" + std::to_string(server.port())));
  CAF_CHECK_EQUAL(o.verdict(), "ok");
  auto seen = server.requests();
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  CAF_CHECK_EQUAL(seen[0].sni, "localhost");
}

CAF_TEST(an IP address is not sent as SNI) {
  loopback_server server{hello, &identity()};
  temp_file ca{identity().cert_pem};
  http::client client{rt, trusting(ca)};
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  auto seen = server.requests();
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  CAF_CHECK_EQUAL(seen[0].sni, "");
}

CAF_TEST(a certificate for another host is rejected even when trusted) {
  auto other = make_self_signed("other.example", "DNS:other.example");
  loopback_server server{hello, &other};
  temp_file ca{other.cert_pem};
  http::client client{rt, trusting(ca)};
  auto o = fetch(client, make_request(server.url()));
  CAF_CHECK_EQUAL(o.verdict(), "network");
  CAF_CHECK(contains(o.message(), "mismatch"));
  CAF_MESSAGE("mismatch: " << o.message());
}

CAF_TEST(turning verification off accepts the self signed certificate) {
  loopback_server server{hello, &identity()};
  http::client_options opts;
  opts.tls.verify = false;
  http::client client{rt, opts};
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
}

CAF_TEST(a CA file that cannot be loaded fails https requests with invalid_config) {
  http::client_options opts;
  opts.tls.ca_file = "/nonexistent/et-ca.pem";
  http::client client{rt, opts};
  auto o = fetch(client, make_request("https://127.0.0.1:9"));
  CAF_CHECK_EQUAL(o.verdict(), "invalid_config");
  CAF_CHECK(contains(o.message(), "/nonexistent/et-ca.pem"));
}

CAF_TEST(TLS connections are reused too) {
  loopback_server server{hello, &identity()};
  temp_file ca{identity().cert_pem};
  http::client client{rt, trusting(ca)};
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url())).verdict(), "ok");
  CAF_CHECK_EQUAL(fetch(client, make_request(server.url(), "POST")).body(), "secure hello");
  CAF_CHECK_EQUAL(server.accepted(), 1u);
}

CAF_TEST(a TLS stream is delivered piece by piece) {
  loopback_server server{[](const seen_request&) {
                           return reply{}
                               .send(http_head(200, {{"Transfer-Encoding", "chunked"}})
                                     + chunk("data: 1\n\n"))
                               .wait_gate()
                               .send(chunk("data: 2\n\n") + last_chunk());
                         },
                         &identity()};
  temp_file ca{identity().cert_pem};
  http::client client{rt, trusting(ca)};
  recorder rec;
  client.send(make_request(server.url()), rec.handlers());
  CAF_REQUIRE(rec.wait_pieces(1));
  server.open_gate();
  auto o = rec.wait();
  CAF_CHECK_EQUAL(o.verdict(), "ok");
  CAF_CHECK_EQUAL(o.body(), "data: 1\n\ndata: 2\n\n");
}

CAF_TEST_FIXTURE_SCOPE_END()
