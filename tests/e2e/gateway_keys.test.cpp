#define CAF_SUITE e2e.gateway_keys
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <thread>

#include "gateway_fixture.hpp"
#include "loopback_server.hpp"
#include "loopback_socket.hpp"

// Gateway keys as a user meets them: `et keys create` prints a key once,
// `et serve --http` then refuses requests without it (401 in the client's own
// protocol, never echoing what was presented), takes it in either header,
// refuses it once revoked, keeps a key to its models, and holds its budget
// and rate limits across two gateway processes sharing one state dir;
// `et cost --by key` shows the spend.

using namespace et::e2e;
using namespace et::e2e::gw;

namespace {

struct keys_fixture : fixture {
  et::test::silent_listener silent; ///< accepts connections and never says a word

  keys_fixture() {
    // $1 per token both ways: a request is worth dollars, and budgets bite at once.
    auto file = dir / "et.yaml";
    auto text = read_file(file);
    auto at = text.find("models:\n");
    CAF_REQUIRE(at != std::string::npos);
    text.insert(at + 8, "  priced: {provider: oa, model: fake-small, price: {input: 1000000, "
                        "output: 1000000}}\n"
                        "  pricedcut: {provider: cutter, model: fake-small, price: {input: "
                        "1000000, output: 1000000}}\n");
    // Two providers that time out: one never completes its TLS handshake (the request is
    // never sent), one takes the request and never answers (the upstream may bill it).
    auto upstream_url = "http://127.0.0.1:" + std::to_string(upstream.port()) + "/v1";
    text.insert(text.find("providers:\n") + 11,
                "  unreachable: {type: openai, base_url: \"https://127.0.0.1:"
                    + std::to_string(silent.port())
                    + "/v1\", timeouts: {connect: 300ms}}\n"
                      "  hanging: {type: openai, base_url: \""
                    + upstream_url
                    + "\", headers: {x-fake-fault: hang}, timeouts: {first_byte: 300ms}}\n");
    at = text.find("models:\n");
    text.insert(at + 8, "  pricedgone: {provider: unreachable, model: fake-small, price: {input: "
                        "1000000, output: 1000000}}\n"
                        "  pricedhang: {provider: hanging, model: fake-small, price: {input: "
                        "1000000, output: 1000000}}\n");
    std::ofstream{file} << text;
  }

  finished et(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back((dir / "et.yaml").string());
    return run_et(dir, args);
  }

  // `et keys create NAME flags...`: the key it printed.
  std::string create(const std::string& name, std::vector<std::string> flags = {}) {
    flags.insert(flags.begin(), {"keys", "create", name});
    auto r = et(flags);
    CAF_REQUIRE_EQUAL(r.code, 0);
    auto key = r.out.substr(0, r.out.find('\n'));
    CAF_REQUIRE_EQUAL(r.out, key + "\n"); // one line, the key alone
    CAF_REQUIRE_EQUAL(key.rfind("et-", 0), 0u);
    return key;
  }

  // A second `et serve --http` on the same configuration and state dir.
  std::unique_ptr<child> second;
  uint16_t second_port = 0;
  void serve_second() {
    second =
        std::make_unique<child>(dir, "serve2",
                                std::vector<std::string>{"serve", "--http", "127.0.0.1:0",
                                                         "--config", (dir / "et.yaml").string()});
    const std::string mark = "gateway listening on http://127.0.0.1:";
    poll_until([&] { return has(second->err(), mark) || second->poll().has_value(); }, 15s);
    auto err = second->err();
    auto at = err.find(mark);
    CAF_REQUIRE(at != std::string::npos);
    second_port = static_cast<uint16_t>(std::stoi(err.substr(at + mark.size())));
  }

  ~keys_fixture() {
    if (second) {
      second->signal(SIGTERM);
      second->wait();
    }
  }

  // `et cost --by key --json` once it shows `requests` requests: records are settled off the
  // HTTP thread, a moment after their answers.
  finished cost_once_recorded(int requests) {
    finished cost;
    auto seen = R"("requests":)" + std::to_string(requests);
    poll_until(
        [&] {
          cost = et({"cost", "--by", "key", "--json"});
          return has(cost.out, seen);
        },
        10s);
    return cost;
  }

  answer oai(const std::string& body, const std::string& key) {
    return call("POST", "/v1/chat/completions", body, {{"Authorization", "Bearer " + key}});
  }
  answer ant(const std::string& body, const std::string& key) {
    return call("POST", "/v1/messages", body,
                {{"anthropic-version", "2023-06-01"}, {"x-api-key", key}});
  }
};

std::string error_type(const std::string& body) {
  return field(body, "error", "type");
}

// Rate windows are calendar minutes of the wall clock, which a test cannot hold still: two
// requests that must share a window start with at least `needed` left in the current one.
void wait_for_room_in_the_minute(std::chrono::seconds needed) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto into = now % std::chrono::minutes{1};
  if (into > std::chrono::minutes{1} - needed)
    std::this_thread::sleep_for(std::chrono::minutes{1} - into);
}

} // namespace

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
  // /health needs no key, and so reads no body: refused before a byte of it is read.
  for (std::string route : {"POST /health", "GET /v1/models", "PUT /v1/messages"}) {
    fd = et::test::connect_loopback(port, 10);
    CAF_REQUIRE(fd >= 0);
    auto ask = route
               + " HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                 "Content-Length: 1048576\r\n\r\n";
    CAF_CHECK_EQUAL(::send(fd, ask.data(), ask.size(), MSG_NOSIGNAL),
                    static_cast<ssize_t>(ask.size()));
    text.clear();
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
      text.append(buf, static_cast<size_t>(n));
    ::close(fd);
    CAF_CHECK_EQUAL(text.rfind("HTTP/1.1 413 ", 0), 0u);
    CAF_CHECK(has(text, "takes no request body"));
  }
}

CAF_TEST(a key with a budget is kept to priced models) {
  // An unpriced model would spend nothing of the budget: whatever it costs, the key could
  // spend without end. A key without a budget may use it.
  auto budgeted = create("budgeted", {"--budget-day", "100"});
  auto free = create("free");
  serve();
  const std::string body = R"({"model":"gpt","max_tokens":8,)"
                           R"("messages":[{"role":"user","content":"hello"}]})";
  auto refused = oai(body, budgeted);
  CAF_CHECK_EQUAL(refused.status, 403);
  CAF_CHECK(has(refused.body, "has no price"));
  CAF_CHECK_EQUAL(oai(body, free).status, 200);
  auto priced = oai(R"({"model":"priced","max_tokens":8,)"
                    R"("messages":[{"role":"user","content":"hello"}]})",
                    budgeted);
  CAF_CHECK_EQUAL(priced.status, 200);
}

CAF_TEST(a key keeps to its models) {
  auto key = create("narrow", {"--models", "gpt,coder"});
  serve();
  CAF_CHECK_EQUAL(oai(oai_body("gpt", false), key).status, 200);
  auto no = oai(oai_body("claude", false), key);
  CAF_CHECK_EQUAL(no.status, 403);
  CAF_CHECK_EQUAL(error_type(no.body), "permission_error");
  CAF_CHECK(has(no.body, R"(may not use model \"claude\" (it may use: gpt, coder))"));
  auto no_ant = ant(ant_body("claude", false), key);
  CAF_CHECK_EQUAL(no_ant.status, 403);
  CAF_CHECK_EQUAL(error_type(no_ant.body), "permission_error");
  // Every request past the door is recorded with its key, refused ones too.
  CAF_CHECK_EQUAL(oai(R"({"model":"gpt","bogus":1})", key).status, 400);
  auto cost = cost_once_recorded(4);
  CAF_CHECK(has(cost.out, R"({"key":"narrow","requests":4,"failures":3)"));
}

CAF_TEST(a budget holds across two gateways sharing a state dir) {
  auto key = create("ci", {"--budget-total", "10"});
  serve();
  serve_second();
  // Up to $9 reserved (5 prompt + 4 completion tokens, estimated), a few dollars spent.
  auto body =
      R"({"model":"priced","max_tokens":4,"messages":[{"role":"user","content":"hello gateway"}]})";
  auto first = oai(body, key);
  CAF_REQUIRE_EQUAL(first.status, 200);
  std::swap(port, second_port); // the second gateway now
  auto over = oai(body, key);
  CAF_CHECK_EQUAL(over.status, 429);
  CAF_CHECK_EQUAL(error_type(over.body), "insufficient_quota");
  CAF_CHECK(has(over.body, "total budget of $10"));
  CAF_CHECK_EQUAL(over.header("x-should-retry"), "false"); // the SDKs would retry a 429
  auto over_ant = ant(
      R"({"model":"priced","max_tokens":4,"messages":[{"role":"user","content":"hello gateway"}]})",
      key);
  CAF_CHECK_EQUAL(over_ant.status, 429);
  CAF_CHECK_EQUAL(error_type(over_ant.body), "rate_limit_error");
  std::swap(port, second_port);
  // The first gateway sees the same: the spend is in the shared ledger.
  CAF_CHECK_EQUAL(oai(body, key).status, 429);
  // The answered request is settled off the HTTP thread: wait for its record.
  auto cost = cost_once_recorded(4);
  if (!has(cost.out, R"("requests":4)")) // shown on failure: what both gateways said
    CAF_MESSAGE("cost: " << cost.out << "\nfirst gateway: " << gateway->err()
                         << "\nsecond gateway: " << second->err());
  CAF_REQUIRE_EQUAL(cost.code, 0);
  auto doc = json::parse(cost.out);
  const auto& row = doc.at("rows").at(0);
  CAF_CHECK_EQUAL(std::string{row.at("key").as_string()}, "ci");
  CAF_CHECK_EQUAL(row.at("requests").as_int64(), 4);
  CAF_CHECK_EQUAL(row.at("failures").as_int64(), 3);
  CAF_CHECK_GREATER(row.at("usd").as_double(), 1.0);
  CAF_CHECK_LESS(row.at("usd").as_double(), 10.0);
  auto table = et({"cost", "--by", "key"});
  CAF_CHECK(has(table.out, "ci "));
  CAF_CHECK(!has(table.out + cost.out, key));
}

CAF_TEST(a stream that breaks after its text is charged an estimate) {
  // The upstream bills what it streamed and the prompt even though no usage came: a client must
  // not spend past its budget by streams that end (or that it ends) before their usage.
  auto key = create("cut", {"--budget-total", "1000"});
  serve();
  auto r = oai(R"({"model":"pricedcut","stream":true,"max_tokens":8,)"
               R"("messages":[{"role":"user","content":"hello gateway"}]})",
               key);
  CAF_CHECK_EQUAL(r.status, 200);
  CAF_CHECK(has(r.body, "one"));     // text reached the client...
  CAF_CHECK(!has(r.body, "[DONE]")); // ...then the stream broke
  auto cost = cost_once_recorded(1);
  CAF_REQUIRE_EQUAL(cost.code, 0);
  auto doc = json::parse(cost.out);
  const auto& row = doc.at("rows").at(0);
  CAF_CHECK_EQUAL(row.at("failures").as_int64(), 1);
  // At $1 a token: the prompt's estimate ("hello gateway": 5 tokens) and the text streamed
  // before the break (at least "one": 2 tokens).
  CAF_CHECK_GREATER_OR_EQUAL(row.at("usd").as_double(), 7.0);
}

CAF_TEST(a timeout is charged only when the request reached the upstream) {
  // A handshake that never ends sent nothing: an outage must not eat a key's budget. A request
  // the upstream took and never answered may well be billed: its prompt's estimate is charged.
  auto key = create("timeouts", {"--budget-total", "1000"});
  serve();
  const std::string rest = R"(,"max_tokens":8,"messages":[{"role":"user","content":"hello"}]})";
  auto gone = oai(R"({"model":"pricedgone")" + rest, key);
  CAF_CHECK_GREATER_OR_EQUAL(gone.status, 500);
  CAF_CHECK(has(gone.body, "connect timeout"));
  auto cost = cost_once_recorded(1);
  CAF_REQUIRE_EQUAL(cost.code, 0);
  CAF_CHECK_EQUAL(json::parse(cost.out).at("rows").at(0).at("usd").as_double(), 0.0);
  auto hung = oai(R"({"model":"pricedhang")" + rest, key);
  CAF_CHECK_GREATER_OR_EQUAL(hung.status, 500);
  CAF_CHECK(has(hung.body, "first-byte timeout"));
  cost = cost_once_recorded(2);
  CAF_REQUIRE_EQUAL(cost.code, 0);
  // At $1 a token, "hello" is at least 2 tokens.
  CAF_CHECK_GREATER_OR_EQUAL(json::parse(cost.out).at("rows").at(0).at("usd").as_double(), 2.0);
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
