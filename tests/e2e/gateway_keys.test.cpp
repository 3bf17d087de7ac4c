#define CAF_SUITE e2e.gateway_keys
#include "caf/test/unit_test.hpp"

#include "gateway_keys_fixture.hpp"

// Gateway keys as a user meets them: `et keys create` prints a key once,
// `et serve --http` then refuses requests without it (401 in the client's own
// protocol, never echoing what was presented), takes it in either header,
// refuses it once revoked, keeps a key to its models and its rate limits;
// `et cost --by key` shows the requests. Budgets: gateway_budgets.test.cpp.

using namespace et::e2e;
using namespace et::e2e::gw;

CAF_TEST_FIXTURE_SCOPE(gateway_keys_tests, keys_fixture)

CAF_TEST(with a key every request needs it in either header) {
  auto key = create("ci");
  serve();
  CAF_CHECK(has(gateway->err(), "gateway keys: 1 active"));
  CAF_CHECK(!has(gateway->err(), "OPEN MODE"));
  auto bare = openai(oai_body("gpt", false));
  CAF_CHECK_EQUAL(bare.status, 401);
  CAF_CHECK_EQUAL(error_type(bare.body), "authentication_error");
  CAF_CHECK(has(bare.body, "Authorization: Bearer KEY"));
  auto bare_ant = anthropic(ant_body("claude", false));
  CAF_CHECK_EQUAL(bare_ant.status, 401);
  CAF_CHECK_EQUAL(std::string{json::parse(bare_ant.body).at("type").as_string()}, "error");
  CAF_CHECK_EQUAL(error_type(bare_ant.body), "authentication_error");
  CAF_CHECK_EQUAL(call("GET", "/v1/models").status, 401);
  CAF_CHECK_EQUAL(call("GET", "/health").status, 200); // probes need no key
  // Either header, either protocol, streamed too.
  CAF_CHECK_EQUAL(oai(oai_body("gpt", false), key).status, 200);
  CAF_CHECK_EQUAL(ant(ant_body("claude", false), key).status, 200);
  CAF_CHECK_EQUAL(
      call("POST", "/v1/chat/completions", oai_body("gpt", true), {{"x-api-key", key}}).status,
      200);
  CAF_CHECK_EQUAL(call("GET", "/v1/models", "", {{"Authorization", "bearer " + key}}).status, 200);
  // A wrong key is refused without being echoed.
  auto wrong = key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  auto bad = oai(oai_body("gpt", false), wrong);
  CAF_CHECK_EQUAL(bad.status, 401);
  CAF_CHECK(has(bad.body, "not known"));
  CAF_CHECK(!has(bad.body, wrong));
  // Revoked: refused at once by the running gateway.
  auto revoking = et({"keys", "revoke", "ci"});
  CAF_CHECK_EQUAL(revoking.code, 0);
  CAF_CHECK(has(revoking.err, "back in loopback-only OPEN MODE"));
  auto revoked = ant(ant_body("claude", false), key);
  CAF_CHECK_EQUAL(revoked.status, 401);
  CAF_CHECK(has(revoked.body, "revoked"));
  CAF_CHECK(!has(revoked.body, key));
  // The key is nowhere but in create's one line.
  auto listed = et({"keys", "list"});
  CAF_CHECK(has(listed.out, "ci (revoked)"));
  CAF_CHECK(!has(listed.out + listed.err + gateway->err(), key));
  CAF_CHECK(!has(gateway->err(), wrong));
}

// Refused before its body is read: a client without a key cannot make the gateway hold it.
CAF_TEST(a request without a key is refused before its body is read) {
  create("ci");
  serve();
  int fd = et::test::connect_loopback(port, 10);
  CAF_REQUIRE(fd >= 0);
  std::string head = "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: "
                     "100-continue\r\nContent-Type: application/json\r\nContent-Length: "
                     "1048576\r\n\r\n";
  CAF_CHECK_EQUAL(::send(fd, head.data(), head.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(head.size()));
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  CAF_CHECK_EQUAL(text.rfind("HTTP/1.1 401 ", 0), 0u); // no 100 Continue first
  CAF_CHECK(has(text, "\"type\":\"authentication_error\""));
  CAF_CHECK(has(gateway->err(), "POST /v1/messages -> 401 "));
  // A route that reads no body is answered from the head, before a byte of its body is read
  // (no 100 Continue): /health needs no key, and so must hold nothing; a wrong path or method
  // gets its own answer, not a refusal of the body.
  struct route_answer {
    std::string route;
    std::string status;
  };
  for (const auto& r : {route_answer{"POST /health", "405"}, route_answer{"GET /v1/models", "401"},
                        route_answer{"POST /chat/completions", "401"}}) {
    fd = et::test::connect_loopback(port, 10);
    CAF_REQUIRE(fd >= 0);
    auto ask = r.route
               + " HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                 "Content-Length: 1048576\r\n\r\n";
    CAF_CHECK_EQUAL(::send(fd, ask.data(), ask.size(), MSG_NOSIGNAL),
                    static_cast<ssize_t>(ask.size()));
    text.clear();
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
      text.append(buf, static_cast<size_t>(n));
    ::close(fd);
    CAF_CHECK_EQUAL(text.rfind("HTTP/1.1 " + r.status + " ", 0), 0u);
  }
}

CAF_TEST(a key keeps to its models) {
  auto key = create("narrow", {"--models", "gpt,coder"});
  serve();
  CAF_CHECK_EQUAL(oai(oai_body("gpt", false), key).status, 200);
  auto no = oai(oai_body("claude", false), key);
  CAF_CHECK_EQUAL(no.status, 403);
  CAF_CHECK_EQUAL(error_type(no.body), "permission_error");
  CAF_CHECK(has(no.body, R"(may not use model \"claude\" (it may use: gpt, coder))"));
  // Its model list shows what it may use, not what it would be refused.
  auto listed = call("GET", "/v1/models", "", {{"Authorization", "Bearer " + key}});
  CAF_CHECK_EQUAL(listed.status, 200);
  CAF_CHECK(has(listed.body, R"("id":"gpt")"));
  CAF_CHECK(!has(listed.body, R"("id":"claude")"));
  auto no_ant = ant(ant_body("claude", false), key);
  CAF_CHECK_EQUAL(no_ant.status, 403);
  CAF_CHECK_EQUAL(error_type(no_ant.body), "permission_error");
  // Every request past the door is recorded with its key, refused ones too.
  CAF_CHECK_EQUAL(oai(R"({"model":"gpt","bogus":1})", key).status, 400);
  auto cost = cost_once_recorded(4);
  CAF_CHECK(has(cost.out, R"({"key":"narrow","requests":4,"failures":3)"));
}

CAF_TEST(over the rate limit is 429 with Retry - After) {
  auto key = create("slow", {"--rpm", "1"});
  serve();
  wait_for_room_in_the_minute(std::chrono::seconds{20});
  CAF_CHECK_EQUAL(oai(oai_body("gpt", false), key).status, 200);
  auto over = ant(ant_body("gpt", false), key);
  CAF_CHECK_EQUAL(over.status, 429);
  CAF_CHECK_EQUAL(error_type(over.body), "rate_limit_error");
  CAF_CHECK(has(over.body, "1 requests per minute"));
  auto after = std::stoi(over.header("retry-after").empty() ? "0" : over.header("retry-after"));
  CAF_CHECK_GREATER(after, 0);
  CAF_CHECK_LESS_OR_EQUAL(after, 60);
}

CAF_TEST(a key refused in a loop adds a bounded number of records a minute) {
  // Each refusal is a row in the shared ledger: a client that ignores its 429s must not
  // write one for every try. At most 100 a minute (app::refusals_per_minute).
  constexpr int refusals_per_minute = 100;
  auto key = create("looping", {"--rpm", "1"});
  serve();
  wait_for_room_in_the_minute(std::chrono::seconds{30});
  CAF_CHECK_EQUAL(oai(oai_body("gpt", false), key).status, 200);
  for (int i = 0; i < refusals_per_minute + 50; ++i)
    CAF_CHECK_EQUAL(oai(oai_body("gpt", false), key).status, 429);
  auto cost = cost_once_recorded(1 + refusals_per_minute);
  CAF_REQUIRE_EQUAL(cost.code, 0);
  CAF_CHECK(has(cost.out, R"("requests":)" + std::to_string(1 + refusals_per_minute) + ","));
}

CAF_TEST(a key counts the tokens of its models outside its limits) {
  auto key = create("counter", {"--models", "claude", "--rpm", "1"});
  serve();
  wait_for_room_in_the_minute(std::chrono::seconds{20});
  auto count = [&](const std::string& model, const std::string& with) {
    return call("POST", "/v1/messages/count_tokens",
                R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})",
                {{"anthropic-version", "2023-06-01"}, {"x-api-key", with}});
  };
  for (int i = 0; i < 3; ++i) // counts are outside the one request a minute
    CAF_CHECK_EQUAL(count("claude", key).status, 200);
  auto other = count("gpt", key);
  CAF_CHECK_EQUAL(other.status, 403);
  CAF_CHECK_EQUAL(error_type(other.body), "permission_error");
  CAF_CHECK_EQUAL(count("claude", "et-wrong").status, 401);
  // The minute's one answer is still there, and then spent.
  CAF_CHECK_EQUAL(ant(ant_body("claude", false), key).status, 200);
  CAF_CHECK_EQUAL(ant(ant_body("claude", false), key).status, 429);
}

CAF_TEST(without keys the gateway is open and records requests without a name) {
  serve();
  CAF_CHECK(has(gateway->err(), "OPEN MODE on loopback"));
  CAF_CHECK_EQUAL(openai(oai_body("gpt", false)).status, 200);
  // An SDK always sends some key; in open mode it is ignored.
  CAF_CHECK_EQUAL(oai(oai_body("gpt", false), "sk-anything").status, 200);
  finished cost;
  poll_until(
      [&] {
        cost = et({"cost", "--by", "key"});
        return has(cost.out, "(open)");
      },
      10s);
  CAF_CHECK(has(cost.out, "(open)"));
}

CAF_TEST_FIXTURE_SCOPE_END()
