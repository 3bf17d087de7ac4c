#define CAF_SUITE libet.http.pinned
#include "caf/test/unit_test.hpp"

#include "http_test_support.hpp"
#include "loopback_server.hpp"

using namespace et;
using namespace et::test;

// request::connect_address: the fetcher vets an address and the client must connect to that
// address, never resolve the name again (a second DNS answer could point inside).

CAF_TEST(a pinned request connects to its address and keeps the name for Host) {
  loopback_server server{[](const seen_request&) { return reply::ok("pinned"); }};
  http::runtime rt;
  http::client c{rt, {}};
  auto req = make_request("http://pinned.invalid:" + std::to_string(server.port()));
  req.connect_address = "127.0.0.1";
  auto out = et::test::fetch(c, std::move(req));
  CAF_REQUIRE_EQUAL(out.verdict(), "ok");
  CAF_CHECK_EQUAL(out.body(), "pinned");
  auto seen = server.requests();
  CAF_REQUIRE_EQUAL(seen.size(), 1u);
  std::string host;
  for (const auto& [name, value] : seen[0].headers)
    if (name == "Host" || name == "host")
      host = value;
  CAF_CHECK_EQUAL(host, "pinned.invalid:" + std::to_string(server.port()));
}

CAF_TEST(a pinned address that is not an address fails without a lookup) {
  http::runtime rt;
  http::client c{rt, {}};
  auto req = make_request("http://127.0.0.1:1");
  req.connect_address = "localhost";
  auto out = et::test::fetch(c, std::move(req));
  CAF_CHECK_EQUAL(out.verdict(), "invalid_input");
}
