#define CAF_SUITE e2e.gateway_drain
#include "caf/test/unit_test.hpp"

#include "gateway_fixture.hpp"

// `et serve --http` at its edges of life and reach: SIGTERM drains (a stream in flight
// finishes, new requests get 503) and web pages cannot use an open gateway.

using namespace et::e2e;
using namespace et::e2e::gw;

CAF_TEST_FIXTURE_SCOPE(gateway_drain_tests, fixture)

CAF_TEST(sigterm lets a stream in flight finish while new requests get 503) {
  serve();
  auto got_text = std::make_shared<std::promise<void>>();
  auto once = std::make_shared<std::once_flag>();
  auto body = std::make_shared<std::string>();
  auto body_mutex = std::make_shared<std::mutex>();
  auto finished = std::make_shared<std::promise<void>>();
  et::http::handlers h;
  h.on_body = [=](std::string_view piece) {
    std::lock_guard<std::mutex> lock{*body_mutex};
    *body += piece;
    if (piece.find("first") != std::string_view::npos)
      std::call_once(*once, [&] { got_text->set_value(); });
  };
  h.on_done = [finished](et::result<void>) { finished->set_value(); };
  client.send(request("POST", "/v1/chat/completions", oai_body("held", true), {}), h);
  CAF_REQUIRE(got_text->get_future().wait_for(20s) == std::future_status::ready);
  gateway->signal(SIGTERM);
  CAF_REQUIRE(poll_until([&] { return has(gateway->err(), "et serve: stopping"); }, 10s));
  auto refused = openai(oai_body("gpt", false));
  CAF_CHECK_EQUAL(refused.status, 503);
  CAF_CHECK(has(refused.body, "shutting down"));
  auto refused_count = call("POST", "/v1/messages/count_tokens",
                            R"({"model":"claude","messages":[{"role":"user","content":"hi"}]})");
  CAF_CHECK_EQUAL(refused_count.status, 503);
  CAF_CHECK(has(refused_count.body, "shutting down"));
  CAF_CHECK(!gateway->poll().has_value()); // still serving the held stream
  // Let the upstream finish the stream: it ends whole, then the gateway exits.
  auto release = std::make_shared<std::promise<void>>();
  et::http::request r;
  r.method = "POST";
  r.base = et::parse_url("http://127.0.0.1:" + std::to_string(upstream.port())).value();
  r.target = "/fake/release";
  client.send(r, {nullptr, nullptr, [release](et::result<void>) { release->set_value(); }});
  CAF_REQUIRE(release->get_future().wait_for(10s) == std::future_status::ready);
  CAF_REQUIRE(finished->get_future().wait_for(20s) == std::future_status::ready);
  {
    std::lock_guard<std::mutex> lock{*body_mutex};
    auto evs = events_of(*body);
    CAF_REQUIRE(!evs.empty());
    CAF_CHECK(evs.back().done);
    CAF_CHECK_EQUAL(openai_text(evs), "first second third");
  }
  CAF_CHECK_EQUAL(gateway->wait(), 0);
  CAF_CHECK(has(gateway->err(), "et serve: stopped"));
  gateway.reset();
}

CAF_TEST(web pages cannot use the open gateway) {
  serve();
  auto page = call("POST", "/v1/chat/completions", oai_body("gpt", false),
                   {{"Origin", "https://evil.example"}});
  CAF_CHECK_EQUAL(page.status, 403);
  CAF_CHECK(has(page.body, "Origin"));
  auto rebound = call("GET", "/v1/models", "", {{"Host", "evil.example:80"}});
  CAF_CHECK_EQUAL(rebound.status, 403);
  CAF_CHECK(has(rebound.body, "DNS rebinding"));
  CAF_CHECK_EQUAL(call("GET", "/health", "", {{"Host", "localhost:1234"}}).status, 200);
  CAF_CHECK_EQUAL(call("GET", "/health", "", {{"Host", "[::1]:1234"}}).status, 200);
  CAF_CHECK_EQUAL(upstream.requests(et::fake::endpoint::openai_chat), 0u); // nothing was sent
}

CAF_TEST_FIXTURE_SCOPE_END()
