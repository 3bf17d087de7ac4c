#define CAF_SUITE libet.provider.http_provider
#include "caf/test/unit_test.hpp"

#include <future>

#include "et/http/runtime.hpp"
#include "et/http/whole.hpp"
#include "et/provider/http_provider.hpp"
#include "fake_upstream/server.hpp"

using namespace et;
using namespace std::chrono_literals;

namespace {

// The outcome of one request: its chunks and its final result.
struct outcome {
  std::vector<chunk> chunks;
  result<chat_response> response = make_failure(errc::invalid_input, "no answer");
};

struct fixture {
  fake::server upstream;
  http::runtime runtime{1};
  http::client client{runtime, http::client_options{}};

  fixture() : upstream(options()) {
    if (!upstream.start())
      CAF_FAIL("cannot start the fake upstream");
  }

  static fake::options options() {
    fake::options o;
    o.threads = 1;
    o.reply.mode = fake::reply_mode::fixed;
    o.reply.text = "alpha beta gamma delta";
    return o;
  }

  config::provider provider(config::provider_type type,
                            std::map<std::string, std::string> headers = {}) {
    config::provider p;
    p.name = "test";
    p.type = type;
    p.base_url = "http://127.0.0.1:" + std::to_string(upstream.port());
    if (type == config::provider_type::openai)
      p.base_url += "/v1";
    p.api_key = "sk-test-secret";
    p.auth = config::auth_type::bearer;
    p.headers = std::move(headers);
    p.timeout.total = 10s;
    return p;
  }

  static chat_request ask(std::string text) {
    chat_request r;
    r.model = "fake-small";
    r.max_tokens = 100;
    r.messages.push_back(message{role::user, std::move(text), {}, {}, {}});
    return r;
  }

  // Counts the tokens of `req`; the promise bounds the wait.
  result<chat_response> count(const config::provider& p, const chat_request& req) {
    auto made = provider::http_provider::make(client, p);
    if (!made)
      CAF_FAIL("make: " << to_string(made.error()));
    auto done = std::make_shared<std::promise<result<chat_response>>>();
    (*made)->count_tokens(req, [done](result<chat_response> r) { done->set_value(std::move(r)); });
    auto f = done->get_future();
    if (f.wait_for(30s) != std::future_status::ready)
      CAF_FAIL("no count within 30 s");
    return f.get();
  }

  // Runs one request to completion; the promise bounds the wait, no sleeps.
  outcome run(const config::provider& p, bool stream, const chat_request& req = ask("hi")) {
    auto made = provider::http_provider::make(client, p);
    if (!made)
      CAF_FAIL("make: " << to_string(made.error()));
    auto result_promise = std::make_shared<std::promise<outcome>>();
    auto out = std::make_shared<outcome>();
    auto done = [=](result<chat_response> r) {
      out->response = std::move(r);
      result_promise->set_value(*out);
    };
    if (stream)
      (*made)->stream(
          req, [out](chunk c) { out->chunks.push_back(std::move(c)); }, done);
    else
      (*made)->complete(req, done);
    auto f = result_promise->get_future();
    if (f.wait_for(30s) != std::future_status::ready)
      CAF_FAIL("no answer within 30s");
    return f.get();
  }
};

const config::provider_type all_types[] = {
    config::provider_type::openai, config::provider_type::anthropic, config::provider_type::ollama,
    config::provider_type::gemini};

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_provider_tests, fixture)

CAF_TEST(every protocol completes a request with text and usage) {
  for (auto type : all_types) {
    CAF_MESSAGE("protocol " << config::to_string(type));
    auto out = run(provider(type), false);
    CAF_REQUIRE(out.response);
    CAF_CHECK_EQUAL(out.response->content, "alpha beta gamma delta");
    CAF_CHECK(out.response->tokens.completion_tokens > 0);
    CAF_CHECK(out.response->tokens.prompt_tokens > 0);
  }
}

CAF_TEST(every protocol streams chunks that add up to the whole answer) {
  for (auto type : all_types) {
    CAF_MESSAGE("protocol " << config::to_string(type));
    auto out = run(provider(type), true);
    CAF_REQUIRE(out.response);
    std::string joined;
    for (const auto& c : out.chunks)
      joined += c.text;
    CAF_CHECK_EQUAL(joined, "alpha beta gamma delta");
    CAF_CHECK_EQUAL(out.response->content, joined);
    CAF_CHECK(out.response->tokens.completion_tokens > 0);
  }
}

CAF_TEST(events that arrive together go on as one piece) {
  // The fake writes every event that is due at once in one write.
  for (auto type : all_types) {
    CAF_MESSAGE("protocol " << config::to_string(type));
    auto out = run(provider(type), true);
    CAF_REQUIRE(out.response);
    CAF_REQUIRE_EQUAL(out.chunks.size(), 1u);
    CAF_CHECK_EQUAL(out.chunks.front().text, "alpha beta gamma delta");
  }
}

CAF_TEST(a piece that arrives alone is passed on without waiting for more) {
  // The fake stops after the first text event until it is released: that text must come
  // through while the stream is held.
  for (auto type : all_types) {
    CAF_MESSAGE("protocol " << config::to_string(type));
    auto made = provider::http_provider::make(client, provider(type, {{"x-fake-hold", "1"}}));
    CAF_REQUIRE(made);
    auto first = std::make_shared<std::promise<std::string>>();
    auto pieces = std::make_shared<std::vector<chunk>>();
    auto finished = std::make_shared<std::promise<result<chat_response>>>();
    (*made)->stream(
        ask("hi"),
        [first, pieces](chunk c) {
          if (pieces->empty())
            first->set_value(c.text);
          pieces->push_back(std::move(c));
        },
        [finished](result<chat_response> r) { finished->set_value(std::move(r)); });
    auto got = first->get_future();
    CAF_REQUIRE(got.wait_for(30s) == std::future_status::ready);
    CAF_CHECK_EQUAL(got.get(), "alpha");
    http::request release;
    release.method = "POST";
    release.base = parse_url("http://127.0.0.1:" + std::to_string(upstream.port())).value();
    release.target = "/fake/release";
    release.timeouts.total = 10s;
    CAF_REQUIRE(http::send_whole(client, release));
    auto done = finished->get_future();
    CAF_REQUIRE(done.wait_for(30s) == std::future_status::ready);
    auto answer = done.get();
    CAF_REQUIRE(answer);
    CAF_CHECK_EQUAL(answer->content, "alpha beta gamma delta");
    CAF_CHECK_EQUAL(pieces->size(), 2u); // the rest came at once on release
  }
}

CAF_TEST(a 429 becomes rate limited with the delay the server asked for) {
  for (auto type : {config::provider_type::openai, config::provider_type::anthropic}) {
    auto out =
        run(provider(type, {{"x-fake-fault", "rate_limit"}, {"x-fake-retry-after", "3"}}), false);
    CAF_REQUIRE(!out.response);
    CAF_CHECK_EQUAL(out.response.error().code, errc::rate_limited);
    CAF_CHECK_EQUAL(out.response.error().http_status, 429);
    CAF_CHECK_EQUAL(out.response.error().retry_after.count(), 3000);
  }
}

CAF_TEST(provider error replies keep their class and never the key) {
  auto overloaded =
      run(provider(config::provider_type::anthropic, {{"x-fake-fault", "overloaded"}}), false);
  CAF_REQUIRE(!overloaded.response);
  CAF_CHECK_EQUAL(overloaded.response.error().code, errc::overloaded);
  for (auto type : all_types) {
    auto out = run(provider(type, {{"x-fake-fault", "context_overflow"}}), false);
    CAF_REQUIRE(!out.response);
    CAF_CHECK_EQUAL(out.response.error().code, errc::context_overflow);
    CAF_CHECK(out.response.error().message.find("sk-test-secret") == std::string::npos);
  }
}

CAF_TEST(a stream cut after its first chunks is reported as interrupted) {
  for (auto type : all_types) {
    CAF_MESSAGE("protocol " << config::to_string(type));
    auto out = run(provider(type, {{"x-fake-fault", "cut"}, {"x-fake-cut-after", "2"}}), true);
    CAF_REQUIRE(!out.response);
    CAF_CHECK_EQUAL(out.response.error().code, errc::stream_interrupted);
    CAF_CHECK(!out.chunks.empty());
  }
}

CAF_TEST(a mid stream error event is a typed failure not a truncation) {
  for (auto type : all_types) {
    CAF_MESSAGE("protocol " << config::to_string(type));
    auto out =
        run(provider(type, {{"x-fake-fault", "stream_error"}, {"x-fake-cut-after", "1"}}), true);
    CAF_REQUIRE(!out.response);
    CAF_CHECK_NOT_EQUAL(out.response.error().code, errc::invalid_input);
  }
}

CAF_TEST(a garbled answer is the deployment s fault and typed bad_response) {
  // Not invalid_input, which reads as the request's fault: the router would not fall back,
  // and a gateway would answer its client 400.
  for (auto type : all_types)
    for (bool stream : {false, true}) {
      CAF_MESSAGE("protocol " << config::to_string(type) << (stream ? " streamed" : " whole"));
      auto out = run(provider(type, {{"x-fake-fault", "malformed"}}), stream);
      CAF_REQUIRE(!out.response);
      CAF_CHECK_EQUAL(out.response.error().code, errc::bad_response);
      CAF_CHECK(allows_fallback(out.response.error().code));
      CAF_CHECK(!is_retryable(out.response.error().code));
      CAF_CHECK(counts_toward_cooldown(out.response.error().code));
    }
}

CAF_TEST(a closed port is a network failure) {
  auto p = provider(config::provider_type::openai);
  upstream.stop();
  auto out = run(p, false);
  CAF_REQUIRE(!out.response);
  CAF_CHECK_EQUAL(out.response.error().code, errc::network);
}

CAF_TEST(every protocol lists the upstream models) {
  for (auto type : all_types) {
    auto made = provider::http_provider::make(client, provider(type));
    CAF_REQUIRE(made);
    std::promise<result<std::vector<model_info>>> p;
    (*made)->list_models([&](result<std::vector<model_info>> r) { p.set_value(std::move(r)); });
    auto f = p.get_future();
    CAF_REQUIRE(f.wait_for(30s) == std::future_status::ready);
    auto models = f.get();
    CAF_REQUIRE(models);
    CAF_CHECK_EQUAL(models->size(), 3u);
  }
}

CAF_TEST(anthropic and gemini count what their answer then bills) {
  for (auto t : {config::provider_type::anthropic, config::provider_type::gemini}) {
    auto counted = count(provider(t), ask("four words to count"));
    CAF_REQUIRE(counted.has_value());
    auto answered = run(provider(t), false, ask("four words to count")).response;
    CAF_REQUIRE(answered.has_value());
    CAF_CHECK_EQUAL(counted->tokens.prompt_tokens, 4);
    CAF_CHECK_EQUAL(counted->tokens.prompt_tokens, answered->tokens.prompt_tokens);
    CAF_CHECK(counted->content.empty());
  }
}

CAF_TEST(a server without the counting endpoint cannot count and a failing one fails) {
  // An Anthropic-compatible server at another path: the fake has no route there (404).
  auto compat = provider(config::provider_type::anthropic);
  compat.base_url += "/compat";
  auto missing = count(compat, ask("hi"));
  CAF_REQUIRE(!missing);
  CAF_CHECK_EQUAL(to_string(missing.error().code), "unsupported");
  CAF_CHECK(missing.error().message.find("no token-counting endpoint") != std::string::npos);
  // An overloaded one stays overloaded (the router falls back from it, and tells the client).
  auto busy = count(provider(config::provider_type::anthropic, {{"x-fake-fault", "overloaded"}}),
                    ask("hi"));
  CAF_REQUIRE(!busy);
  CAF_CHECK_EQUAL(to_string(busy.error().code), "overloaded");
  CAF_CHECK(busy.error().message.find("sk-test-secret") == std::string::npos);
}

CAF_TEST(the mock type has no http protocol) {
  config::provider p;
  p.type = config::provider_type::mock;
  auto made = provider::http_provider::make(client, p);
  CAF_REQUIRE(!made);
  CAF_CHECK_EQUAL(made.error().code, errc::unsupported);
}

CAF_TEST_FIXTURE_SCOPE_END()
