#define CAF_SUITE libet.provider.boundary
#include "caf/test/unit_test.hpp"

// The HTTP provider is where upstream bytes become et's failures: no secret
// leaves it in any encoding, and no callback of its outlives it.

#include <boost/json.hpp>
#include <functional>
#include <future>

#include "et/http/runtime.hpp"
#include "et/provider/http_provider.hpp"
#include "et/util/encode.hpp"
#include "loopback_server.hpp"

using namespace et;
using namespace et::test;
using namespace std::chrono_literals;

namespace {

// A password with characters that every encoding changes.
constexpr const char* basic_key = "alice:pa\"ss/wo+rd=S3cret";
constexpr const char* header_key = "hdr-Secret-value-123";
constexpr const char* header_token = "tok-Abc-987654";

config::provider provider(config::provider_type type, const std::string& url) {
  config::provider p;
  p.name = "test";
  p.type = type;
  p.base_url = url;
  p.api_key = basic_key;
  p.auth = config::auth_type::basic;
  p.headers = {{"API-KEY", header_key},
               {"X-Upstream-Auth", std::string{"Bearer "} + header_token},
               {"X-Title", "et"}};
  p.timeout.total = 10s;
  return p;
}

chat_request ask() {
  chat_request r;
  r.model = "m";
  r.messages.push_back(message{role::user, "hi", {}, {}, {}});
  return r;
}

// Every way the upstream may echo a configured secret.
std::vector<std::pair<std::string, std::string>> echoes() {
  std::string key = basic_key;
  std::string password = key.substr(key.find(':') + 1);
  return {{"raw key", key},
          {"password", password},
          {"base64 of user:password", base64(key)},
          {"url-encoded key", percent_encode(key)},
          {"url-encoded password", percent_encode(password)},
          {"json-escaped key", json_escape(key)},
          {"credential header value", header_key},
          {"credential header base64", base64(header_key)},
          {"bearer token in a header", header_token},
          {"whole header value", std::string{"Bearer "} + header_token}};
}

struct fixture {
  http::runtime runtime{1};
  http::client client{runtime, http::client_options{}};

  std::unique_ptr<provider::http_provider>
  make(config::provider_type type, const std::string& url,
       const std::function<void(config::provider&)>& adjust = {}) {
    auto settings = provider(type, url);
    if (adjust)
      adjust(settings);
    auto made = provider::http_provider::make(client, settings);
    if (!made)
      CAF_FAIL("make: " << to_string(made.error()));
    return std::move(*made);
  }

  // The answer `p` streams for ask() within 20 s; `streamed` (when given) gets the text of
  // its pieces.
  result<chat_response> stream_of(provider::http_provider& p, std::string* streamed = nullptr) {
    auto promise = std::make_shared<std::promise<result<chat_response>>>();
    auto pieces = std::make_shared<std::string>();
    p.stream(
        ask(), [pieces](et::chunk c) { *pieces += c.text; },
        [promise](result<chat_response> r) { promise->set_value(std::move(r)); });
    auto f = promise->get_future();
    if (f.wait_for(20s) != std::future_status::ready)
      CAF_FAIL("no answer within 20s");
    if (streamed)
      *streamed = *pieces;
    return f.get();
  }

  failure fail_of(provider::http_provider& p, bool stream) {
    auto promise = std::make_shared<std::promise<result<chat_response>>>();
    auto done = [promise](result<chat_response> r) { promise->set_value(std::move(r)); };
    if (stream)
      p.stream(
          ask(), [](et::chunk) {}, done);
    else
      p.complete(ask(), done);
    auto f = promise->get_future();
    if (f.wait_for(20s) != std::future_status::ready)
      CAF_FAIL("no answer within 20s");
    auto r = f.get();
    if (r)
      CAF_FAIL("expected a failure");
    return r.error();
  }
};

std::string error_body(const std::string& echo) {
  return boost::json::serialize(boost::json::object{
      {"error", {{"message", "invalid credentials: " + echo}, {"type", "invalid_request_error"}}}});
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(boundary_tests, fixture)

CAF_TEST(an error reply echoing a secret in any encoding reaches nobody) {
  for (const auto& [what, echo] : echoes()) {
    CAF_MESSAGE(what);
    loopback_server server{[echo = echo](const seen_request&) {
      return reply{}.send(
          http_response(401, error_body(echo), {{"Content-Type", "application/json"}}));
    }};
    for (auto type : {config::provider_type::openai, config::provider_type::ollama}) {
      auto p = make(type, server.url());
      auto f = fail_of(*p, false);
      CAF_CHECK_EQUAL(to_string(f.code), "auth");
      CAF_CHECK(f.message.find(echo) == std::string::npos);
      CAF_CHECK(f.message.find("****") != std::string::npos);
    }
  }
}

CAF_TEST(a mid stream error event echoing a secret reaches nobody) {
  for (const auto& [what, echo] : echoes()) {
    CAF_MESSAGE(what);
    loopback_server server{[echo = echo](const seen_request&) {
      auto event = "data: " + error_body(echo) + "\n\n";
      return reply{}.send(http_response(200, event, {{"Content-Type", "text/event-stream"}}));
    }};
    auto p = make(config::provider_type::openai, server.url());
    auto f = fail_of(*p, true);
    CAF_CHECK(f.message.find(echo) == std::string::npos);
    CAF_CHECK(f.message.find("****") != std::string::npos);
  }
}

CAF_TEST(a listing error echoing a secret reaches nobody) {
  auto echo = base64(basic_key);
  loopback_server server{
      [echo](const seen_request&) { return reply{}.send(http_response(403, error_body(echo))); }};
  auto p = make(config::provider_type::openai, server.url());
  std::promise<result<std::vector<model_info>>> done;
  p->list_models([&](result<std::vector<model_info>> r) { done.set_value(std::move(r)); });
  auto f = done.get_future();
  CAF_REQUIRE(f.wait_for(20s) == std::future_status::ready);
  auto r = f.get();
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(r.error().message.find(echo) == std::string::npos);
}

// A non-JSON error body is cut to 500 bytes, which may cut a key in two.
CAF_TEST(a secret cut by a truncated error text leaves no part behind) {
  loopback_server server{[](const seen_request&) {
    return reply{}.send(http_response(401, std::string(490, '.') + basic_key + " was rejected"));
  }};
  auto p = make(config::provider_type::openai, server.url());
  auto f = fail_of(*p, false);
  CAF_CHECK_EQUAL(to_string(f.code), "auth");
  CAF_CHECK(f.message.find(std::string{basic_key}.substr(0, 8)) == std::string::npos);
  CAF_CHECK(f.message.find("****") != std::string::npos);
}

CAF_TEST(a header that is not a credential is not scrubbed) {
  loopback_server server{[](const seen_request&) {
    return reply{}.send(http_response(400, error_body("unknown title et-x")));
  }};
  auto p = make(config::provider_type::openai, server.url());
  auto f = fail_of(*p, false);
  CAF_CHECK(f.message.find("unknown title et-x") != std::string::npos);
}

// The listing's next page used to be requested through the provider's raw
// `this`: after the provider was gone, a late page sent through freed memory.
CAF_TEST(destroying the provider stops a paginated listing) {
  loopback_server server{[](const seen_request& r) {
    if (r.target.find("pageToken") == std::string::npos)
      return reply{}.send(
          http_response(200, R"({"models":[{"name":"models/a"}],"nextPageToken":"p2"})"));
    return reply{}.wait_gate().send(
        http_response(200, R"({"models":[{"name":"models/b"}],"nextPageToken":"p3"})"));
  }};
  auto p = make(config::provider_type::gemini, server.url());
  auto done = std::make_shared<std::promise<result<std::vector<model_info>>>>();
  p->list_models([done](result<std::vector<model_info>> r) { done->set_value(std::move(r)); });
  CAF_REQUIRE(server.wait_requests(2)); // the second page is pending behind the gate
  p.reset();
  auto f = done->get_future();
  CAF_REQUIRE(f.wait_for(10s) == std::future_status::ready);
  auto r = f.get();
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK_EQUAL(to_string(r.error().code), "cancelled");
  server.open_gate(); // the late page finds nobody to call
  CAF_CHECK_EQUAL(server.requests().size(), 2u);
}

// A last event without its delimiter (Gemini's blank line, Ollama's newline)
// still counts, and its text must reach the stream, not only the answer: a
// streaming client would otherwise show less than the ledger paid for.
CAF_TEST(a last event without its delimiter is streamed like the others) {
  struct cut_end {
    config::provider_type type;
    std::string body;
  };
  const cut_end ends[] = {
      {config::provider_type::gemini,
       "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}]}\r\n\r\n"
       "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}]},"
       "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,"
       "\"candidatesTokenCount\":2}}\r\n"},
      {config::provider_type::ollama,
       "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},"
       "\"done\":false}\n{\"model\":\"m\",\"message\":{\"role\":\"assistant\","
       "\"content\":\"lo\"},\"done\":true,\"done_reason\":\"stop\","
       "\"prompt_eval_count\":3,\"eval_count\":2}"}};
  for (const auto& end : ends) {
    CAF_MESSAGE(config::to_string(end.type));
    loopback_server server{[body = end.body](const seen_request&) {
      return reply{}.send(http_response(200, body, {{"Content-Type", "text/event-stream"}}));
    }};
    auto p = make(end.type, server.url());
    std::string streamed;
    auto r = stream_of(*p, &streamed);
    CAF_REQUIRE(r);
    CAF_CHECK_EQUAL(r->content, "Hello");
    CAF_CHECK_EQUAL(streamed, "Hello");
  }
}

CAF_TEST(a stream request answered with one json body is read whole) {
  // A proxy's error, or a server that ignores "stream": read as events it would be a stream
  // that broke, its cause lost and the request retried for nothing.
  struct whole {
    config::provider_type type;
    std::string body;
  };
  const whole errors[] = {
      {config::provider_type::openai,
       R"({"error":{"message":"Incorrect API key","type":"invalid_request_error",)"
       R"("code":"invalid_api_key"}})"},
      {config::provider_type::openai, R"({"object":"error","message":"bad key","code":401})"},
      {config::provider_type::anthropic,
       R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})"}};
  for (const auto& e : errors) {
    loopback_server server{[body = e.body](const seen_request&) {
      return reply{}.send(http_response(200, body, {{"Content-Type", "application/json"}}));
    }};
    auto p = make(e.type, server.url());
    CAF_CHECK_EQUAL(fail_of(*p, true).code, errc::auth);
  }
  loopback_server server{[](const seen_request&) {
    return reply{}.send(http_response(
        200,
        R"({"id":"c1","model":"m","choices":[{"index":0,"message":{"role":"assistant",)"
        R"("content":"Hello"},"finish_reason":"stop"}],)"
        R"("usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})",
        {{"Content-Type", "application/json; charset=utf-8"}}));
  }};
  auto p = make(config::provider_type::openai, server.url());
  std::string streamed;
  auto r = stream_of(*p, &streamed);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->content, "Hello");
  CAF_CHECK_EQUAL(streamed, "Hello");
  CAF_CHECK_EQUAL(r->tokens.completion_tokens, 2);
}

CAF_TEST(a stream ends with its terminal event whatever the upstream sends after) {
  // [DONE], then more text, then nothing while the connection stays open: the answer is the
  // one before [DONE], and it comes now, not when the idle limit (60 s here) would cut it.
  loopback_server server{[](const seen_request&) {
    auto piece = [](const std::string& text) {
      return et::test::chunk(
          R"(data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":")" + text
          + R"("},"finish_reason":null}]})" + "\n\n");
    };
    return reply{}
        .send(http_head(200,
                        {{"Content-Type", "text/event-stream"}, {"Transfer-Encoding", "chunked"}})
              + piece("Hello")
              + et::test::chunk("data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                                "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n")
              + et::test::chunk("data: [DONE]\n\n") + piece(" and more"))
        .stall();
  }};
  auto made = make(config::provider_type::openai, server.url(), [](config::provider& p) {
    p.timeout.idle = 60s;
    p.timeout.total = 120s;
  });
  std::string streamed;
  auto r = stream_of(*made, &streamed);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->content, "Hello");
  CAF_CHECK_EQUAL(streamed, "Hello");
}

CAF_TEST(a model listing keeps a sane number of models with sane names) {
  loopback_server server{[](const seen_request&) {
    std::string body = R"({"object":"list","data":[{"id":")" + std::string(1000, 'x') + R"("})";
    for (int i = 0; i < 20000; ++i)
      body += R"(,{"id":"m)" + std::to_string(i) + R"("})";
    return reply{}.send(http_response(200, body + "]}", {{"Content-Type", "application/json"}}));
  }};
  auto p = make(config::provider_type::openai, server.url());
  std::promise<result<std::vector<model_info>>> promise;
  p->list_models([&](result<std::vector<model_info>> r) { promise.set_value(std::move(r)); });
  auto f = promise.get_future();
  CAF_REQUIRE(f.wait_for(20s) == std::future_status::ready);
  auto models = f.get();
  CAF_REQUIRE(models);
  CAF_CHECK_EQUAL(models->size(), 10000u);
  CAF_CHECK_EQUAL(models->front().id, "m0"); // the long one was left out
}

CAF_TEST(an event stream a proxy calls json is still read as a stream) {
  // Read as it comes: it ends at [DONE] even when the body never does (60 s idle limit here).
  loopback_server server{[](const seen_request&) {
    return reply{}
        .send(
            http_head(200, {{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"}})
            + et::test::chunk("data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                              "\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}"
                              "\n\ndata: [DONE]\n\n"))
        .stall();
  }};
  auto p = make(config::provider_type::openai, server.url(), [](config::provider& c) {
    c.timeout.idle = 60s;
    c.timeout.total = 120s;
  });
  auto r = stream_of(*p);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->content, "Hi");
}

CAF_TEST(a huge error body is read only as far as an error needs) {
  loopback_server server{[](const seen_request&) {
    return reply{}.send(http_response(500, std::string(8 << 20, 'x'), {}));
  }};
  auto p = make(config::provider_type::openai, server.url());
  for (bool stream : {false, true}) {
    auto f = fail_of(*p, stream);
    CAF_CHECK_EQUAL(f.code, errc::server_error);
    CAF_CHECK_LESS(f.message.size(), 1024u);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
