#define CAF_SUITE bench.fake_upstream
#include "caf/test/unit_test.hpp"

#include <chrono>
#include <thread>

#include "fake_client.hpp"
#include "server.hpp"

using namespace et::test;
namespace fake = et::fake;

namespace {

using header_pairs = std::vector<std::pair<std::string, std::string>>;

std::string openai_body(const std::string& text, bool stream, const std::string& extra = "") {
  return R"({"model":"gpt-fake","messages":[{"role":"system","content":"be brief"},)"
         R"({"role":"user","content":")"
         + text + R"("}],"stream":)" + (stream ? "true" : "false") + extra + "}";
}

std::string anthropic_body(const std::string& text, bool stream) {
  return R"({"model":"claude-fake","max_tokens":100,"system":"be brief","messages":[)"
         R"({"role":"user","content":[{"type":"text","text":")"
         + text + R"("}]}],"stream":)" + (stream ? "true" : "false") + "}";
}

std::string ollama_body(const std::string& text, bool stream) {
  return R"({"model":"llama-fake","messages":[{"role":"user","content":")" + text
         + R"("}],"stream":)" + (stream ? "true" : "false") + "}";
}

std::string gemini_body(const std::string& text) {
  return R"({"contents":[{"role":"user","parts":[{"text":")" + text + R"("}]}]})";
}

std::string str(const json::value& v) {
  return v.is_string() ? std::string{v.get_string()} : std::string{};
}

// Polls `ready` for up to five seconds.
template <class Predicate>
bool eventually(Predicate ready) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

struct fixture {
  fake::server srv;
  fixture() { CAF_REQUIRE(srv.start().has_value()); }

  fake_reply request(http::verb method, const std::string& target, const std::string& body = "",
                     const header_pairs& headers = {}) {
    fake_client client{srv.port()};
    return client.send(method, target, body, headers);
  }

  fake_reply post(const std::string& target, const std::string& body,
                  const header_pairs& headers = {}) {
    return request(http::verb::post, target, body, headers);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(fake_upstream, fixture)

CAF_TEST(an OpenAI chat completion echoes the last user message with its usage) {
  auto r = post("/v1/chat/completions", openai_body("two plus two", false));
  CAF_CHECK_EQUAL(r.status, 200u);
  auto o = parse_object(r.body);
  CAF_CHECK_EQUAL(str(o["object"]), "chat.completion");
  CAF_CHECK_EQUAL(str(o["model"]), "gpt-fake");
  auto& choice = o["choices"].as_array().at(0).as_object();
  CAF_CHECK_EQUAL(str(choice["message"].as_object()["content"]), "two plus two");
  CAF_CHECK_EQUAL(str(choice["finish_reason"]), "stop");
  auto& usage = o["usage"].as_object();
  CAF_CHECK_EQUAL(usage["prompt_tokens"].as_int64(), 5); // "be brief" + three words
  CAF_CHECK_EQUAL(usage["completion_tokens"].as_int64(), 3);
  CAF_CHECK_EQUAL(usage["total_tokens"].as_int64(), 8);
}

CAF_TEST(an OpenAI stream sends deltas then a usage chunk then DONE) {
  auto r = post("/v1/chat/completions",
                openai_body("a b c", true, R"(,"stream_options":{"include_usage":true})"));
  CAF_CHECK_EQUAL(r.status, 200u);
  CAF_CHECK_EQUAL(r.header("transfer-encoding"), "chunked");
  CAF_CHECK(r.header("content-type").rfind("text/event-stream", 0) == 0);
  auto events = split_sse(r.body);
  CAF_REQUIRE_EQUAL(events.size(), 7u); // role, 3 deltas, finish, usage, [DONE]
  std::string text;
  for (size_t i = 0; i < 5; ++i) {
    auto o = parse_object(events[i].data);
    CAF_CHECK_EQUAL(str(o["object"]), "chat.completion.chunk");
    auto& delta = o["choices"].as_array().at(0).as_object()["delta"].as_object();
    if (auto* c = delta.if_contains("content"))
      text += str(*c);
  }
  CAF_CHECK_EQUAL(text, "a b c");
  auto finish = parse_object(events[4].data);
  CAF_CHECK_EQUAL(str(finish["choices"].as_array().at(0).as_object()["finish_reason"]), "stop");
  auto usage = parse_object(events[5].data);
  CAF_CHECK(usage["choices"].as_array().empty());
  CAF_CHECK_EQUAL(usage["usage"].as_object()["completion_tokens"].as_int64(), 3);
  CAF_CHECK_EQUAL(events[6].data, "[DONE]");
}

CAF_TEST(an OpenAI stream without include_usage has no usage chunk) {
  auto r = post("/chat/completions", openai_body("a b", true));
  auto events = split_sse(r.body);
  CAF_REQUIRE_EQUAL(events.size(), 5u); // role, 2 deltas, finish, [DONE]
  CAF_CHECK(!parse_object(events[3].data).contains("usage"));
  CAF_CHECK_EQUAL(events[4].data, "[DONE]");
}

CAF_TEST(an Anthropic message carries text blocks and usage) {
  auto r = post("/v1/messages", anthropic_body("hello world", false),
                {{"anthropic-version", "2023-06-01"}});
  CAF_CHECK_EQUAL(r.status, 200u);
  auto o = parse_object(r.body);
  CAF_CHECK_EQUAL(str(o["type"]), "message");
  CAF_CHECK_EQUAL(str(o["content"].as_array().at(0).as_object()["text"]), "hello world");
  CAF_CHECK_EQUAL(str(o["stop_reason"]), "end_turn");
  CAF_CHECK_EQUAL(o["usage"].as_object()["input_tokens"].as_int64(), 4);
  CAF_CHECK_EQUAL(o["usage"].as_object()["output_tokens"].as_int64(), 2);
}

CAF_TEST(an Anthropic stream sends the documented event sequence) {
  auto r =
      post("/v1/messages", anthropic_body("one two three", true), {{"x-fake-chunk-tokens", "2"}});
  auto events = split_sse(r.body);
  std::vector<std::string> names;
  std::string text;
  for (const auto& e : events) {
    names.push_back(e.name);
    auto o = parse_object(e.data);
    CAF_CHECK_EQUAL(str(o["type"]), e.name); // every event line matches its payload
    if (e.name == "content_block_delta")
      text += str(o["delta"].as_object()["text"]);
  }
  std::vector<std::string> expected{
      "message_start",       "content_block_start", "ping",          "content_block_delta",
      "content_block_delta", "content_block_stop",  "message_delta", "message_stop"};
  CAF_CHECK_EQUAL(names, expected);
  CAF_CHECK_EQUAL(text, "one two three");
  auto delta = parse_object(events[6].data);
  CAF_CHECK_EQUAL(str(delta["delta"].as_object()["stop_reason"]), "end_turn");
  CAF_CHECK_EQUAL(delta["usage"].as_object()["output_tokens"].as_int64(), 3);
}

CAF_TEST(an Ollama stream is NDJSON ending in done with the eval counts) {
  auto r = post("/api/chat", ollama_body("x y z", true));
  CAF_CHECK_EQUAL(r.header("content-type"), "application/x-ndjson");
  auto lines = split_lines(r.body);
  CAF_REQUIRE_EQUAL(lines.size(), 4u);
  std::string text;
  for (const auto& l : lines) {
    auto o = parse_object(l);
    text += str(o["message"].as_object()["content"]);
  }
  CAF_CHECK_EQUAL(text, "x y z");
  auto last = parse_object(lines.back());
  CAF_CHECK(last["done"].as_bool());
  CAF_CHECK_EQUAL(last["prompt_eval_count"].as_int64(), 3);
  CAF_CHECK_EQUAL(last["eval_count"].as_int64(), 3);
  CAF_CHECK(!parse_object(lines[0])["done"].as_bool());
}

CAF_TEST(an Ollama chat with stream false answers one object) {
  auto r = post("/api/chat", ollama_body("just this", false));
  auto o = parse_object(r.body);
  CAF_CHECK_EQUAL(str(o["message"].as_object()["content"]), "just this");
  CAF_CHECK(o["done"].as_bool());
  CAF_CHECK_EQUAL(o["eval_count"].as_int64(), 2);
}

CAF_TEST(a Gemini answer names the model from the path and counts tokens) {
  auto r = post("/v1beta/models/gemini-fake:generateContent", gemini_body("alpha beta"));
  CAF_CHECK_EQUAL(r.status, 200u);
  auto o = parse_object(r.body);
  auto& cand = o["candidates"].as_array().at(0).as_object();
  CAF_CHECK_EQUAL(str(cand["content"].as_object()["parts"].as_array().at(0).as_object()["text"]),
                  "alpha beta");
  CAF_CHECK_EQUAL(str(cand["finishReason"]), "STOP");
  CAF_CHECK_EQUAL(str(o["modelVersion"]), "gemini-fake");
  CAF_CHECK_EQUAL(o["usageMetadata"].as_object()["candidatesTokenCount"].as_int64(), 2);
}

CAF_TEST(a Gemini SSE stream is CRLF framed with finishReason on the last chunk) {
  auto r = post("/v1beta/models/gemini-fake:streamGenerateContent?alt=sse", gemini_body("p q r"));
  CAF_CHECK(r.body.find("\r\n\r\n") != std::string::npos);
  CAF_CHECK(r.body.find("}\n\n") == std::string::npos);
  auto events = split_sse(r.body);
  CAF_REQUIRE_EQUAL(events.size(), 3u);
  std::string text;
  for (size_t i = 0; i < events.size(); ++i) {
    auto o = parse_object(events[i].data);
    auto& cand = o["candidates"].as_array().at(0).as_object();
    text += str(cand["content"].as_object()["parts"].as_array().at(0).as_object()["text"]);
    CAF_CHECK_EQUAL(cand.contains("finishReason"), i + 1 == events.size());
    CAF_CHECK_EQUAL(o["usageMetadata"].as_object()["candidatesTokenCount"].as_int64(),
                    static_cast<int64_t>(i + 1));
  }
  CAF_CHECK_EQUAL(text, "p q r");
}

CAF_TEST(a Gemini stream without alt sse is one JSON array) {
  auto r = post("/v1beta/models/g:streamGenerateContent", gemini_body("p q"));
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  CAF_REQUIRE(!ec && v.is_array());
  CAF_CHECK_EQUAL(v.as_array().size(), 2u);
}

CAF_TEST(the models listings follow each provider and the anthropic version header) {
  auto openai = parse_object(request(http::verb::get, "/v1/models").body);
  CAF_CHECK_EQUAL(str(openai["object"]), "list");
  CAF_CHECK_EQUAL(openai["data"].as_array().size(), 3u);
  auto anthropic = parse_object(
      request(http::verb::get, "/v1/models?limit=2", "", {{"anthropic-version", "2023-06-01"}})
          .body);
  CAF_CHECK_EQUAL(anthropic["data"].as_array().size(), 2u);
  CAF_CHECK(anthropic["has_more"].as_bool());
  CAF_CHECK_EQUAL(str(anthropic["last_id"]), "fake-medium");
  auto tags = parse_object(request(http::verb::get, "/api/tags").body);
  CAF_CHECK_EQUAL(str(tags["models"].as_array().at(0).as_object()["name"]), "fake-small");
  CAF_CHECK_EQUAL(request(http::verb::get, "/nowhere").status, 404u);
}

CAF_TEST(the Gemini listing pages with pageSize and pageToken) {
  auto first = parse_object(request(http::verb::get, "/v1beta/models?pageSize=2").body);
  CAF_CHECK_EQUAL(first["models"].as_array().size(), 2u);
  CAF_REQUIRE(first.contains("nextPageToken"));
  auto token = str(first["nextPageToken"]);
  auto second =
      parse_object(request(http::verb::get, "/v1beta/models?pageSize=2&pageToken=" + token).body);
  CAF_REQUIRE_EQUAL(second["models"].as_array().size(), 1u);
  CAF_CHECK_EQUAL(str(second["models"].as_array().at(0).as_object()["name"]), "models/fake-large");
  CAF_CHECK(!second.contains("nextPageToken"));
}

CAF_TEST(fixed and tokens modes replace the echo per request) {
  auto fixed = parse_object(
      post("/v1/chat/completions", openai_body("ignored", false), {{"x-fake-text", "set reply"}})
          .body);
  CAF_CHECK_EQUAL(
      str(fixed["choices"].as_array().at(0).as_object()["message"].as_object()["content"]),
      "set reply");
  auto tokens =
      parse_object(post("/api/chat", ollama_body("ignored", false), {{"x-fake-tokens", "4"}}).body);
  CAF_CHECK_EQUAL(str(tokens["message"].as_object()["content"]), "tok0 tok1 tok2 tok3");
  CAF_CHECK_EQUAL(tokens["eval_count"].as_int64(), 4);
}

CAF_TEST(chunk tokens groups tokens into fewer stream events) {
  auto r = post("/api/chat", ollama_body("", true),
                {{"x-fake-tokens", "10"}, {"x-fake-chunk-tokens", "4"}});
  auto lines = split_lines(r.body);
  CAF_CHECK_EQUAL(lines.size(), 4u); // 4 + 4 + 2 tokens, then done
  CAF_CHECK_EQUAL(parse_object(lines.back())["eval_count"].as_int64(), 10);
}

CAF_TEST(a max tokens limit truncates the answer with a length finish) {
  auto r = post("/v1/chat/completions", openai_body("a b c d e", false, R"(,"max_tokens":2)"));
  auto o = parse_object(r.body);
  auto& choice = o["choices"].as_array().at(0).as_object();
  CAF_CHECK_EQUAL(str(choice["message"].as_object()["content"]), "a b");
  CAF_CHECK_EQUAL(str(choice["finish_reason"]), "length");
  CAF_CHECK_EQUAL(o["usage"].as_object()["completion_tokens"].as_int64(), 2);
}

CAF_TEST(latency and pacing leave the bytes of a stream unchanged) {
  auto plain = post("/api/chat", ollama_body("", true), {{"x-fake-tokens", "6"}});
  auto paced = post("/api/chat", ollama_body("", true),
                    {{"x-fake-tokens", "6"}, {"x-fake-latency-ms", "5"}, {"x-fake-tps", "2000"}});
  CAF_CHECK(!paced.ec);
  auto a = split_lines(plain.body);
  auto b = split_lines(paced.body);
  CAF_REQUIRE_EQUAL(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) // created_at may tick between the two
    CAF_CHECK_EQUAL(json::serialize(parse_object(a[i])["message"]),
                    json::serialize(parse_object(b[i])["message"]));
}

CAF_TEST(one connection carries many requests with keep alive) {
  fake_client client{srv.port()};
  for (int i = 0; i < 5; ++i) {
    auto r =
        client.send(http::verb::post, "/v1/chat/completions", openai_body("again", i % 2 == 1));
    CAF_CHECK_EQUAL(r.status, 200u);
    CAF_CHECK(!r.ec);
  }
  CAF_CHECK_EQUAL(srv.snapshot().connections_accepted, 1u);
}

CAF_TEST(the counters count requests by path and connections) {
  post("/v1/chat/completions", openai_body("x", false));
  post("/v1/chat/completions", openai_body("x", true));
  post("/api/chat", ollama_body("x", false));
  request(http::verb::get, "/v1beta/models");
  auto s = srv.snapshot();
  CAF_CHECK_EQUAL(s.requests, 4u);
  CAF_CHECK_EQUAL(s.requests_by_path["openai.chat"], 2u);
  CAF_CHECK_EQUAL(s.requests_by_path["ollama.chat"], 1u);
  CAF_CHECK_EQUAL(s.requests_by_path["gemini.models"], 1u);
  CAF_CHECK_EQUAL(srv.requests(fake::endpoint::anthropic_messages), 0u);
  CAF_CHECK_EQUAL(s.connections_accepted, 4u);
  CAF_CHECK_EQUAL(s.faults_injected, 0u);
}

CAF_TEST(a held stream stops after its first content event until a release) {
  fake_client held{srv.port()};
  held.write(http::verb::post, "/v1/chat/completions", openai_body("a b c", true),
             {{"x-fake-hold", "1"}});
  CAF_REQUIRE(eventually([&] { return srv.snapshot().held == 1; }));
  CAF_REQUIRE(
      eventually([&] { return held.peek().find(R"("content":"a")") != std::string::npos; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50)); // room for bytes that must not come
  auto early = held.peek();
  CAF_CHECK(early.find(R"("content":" b")") == std::string::npos);
  CAF_CHECK(early.find("[DONE]") == std::string::npos);
  auto release = post("/fake/release", "");
  CAF_CHECK_EQUAL(release.status, 200u);
  CAF_CHECK_EQUAL(parse_object(release.body)["released"].as_int64(), 1);
  auto r = held.read();
  CAF_CHECK(!r.ec);
  auto events = split_sse(r.body);
  CAF_REQUIRE_EQUAL(events.size(), 6u); // role, 3 deltas, finish, [DONE]: nothing lost or doubled
  CAF_CHECK_EQUAL(events[5].data, "[DONE]");
  CAF_CHECK_EQUAL(srv.snapshot().held, 0u);
}

CAF_TEST(a release lets every held stream go on and counts them) {
  fake_client one{srv.port()};
  fake_client two{srv.port()};
  for (auto* c : {&one, &two})
    c->write(http::verb::post, "/v1/chat/completions", openai_body("x y", true),
             {{"x-fake-hold", "1"}});
  CAF_REQUIRE(eventually([&] { return srv.snapshot().held == 2; }));
  CAF_CHECK_EQUAL(parse_object(post("/fake/release", "").body)["released"].as_int64(), 2);
  CAF_CHECK_EQUAL(split_sse(one.read().body).size(), 5u);
  CAF_CHECK_EQUAL(split_sse(two.read().body).size(), 5u);
  CAF_CHECK_EQUAL(parse_object(post("/fake/release", "").body)["released"].as_int64(), 0);
}

CAF_TEST(x-fake-hold N stops every Nth stream and lets the others finish) {
  for (int i = 1; i <= 2; ++i) {
    fake_client c{srv.port()};
    c.write(http::verb::post, "/v1/chat/completions", openai_body("x y", true),
            {{"x-fake-hold", "3"}});
    CAF_CHECK_EQUAL(split_sse(c.read().body).size(), 5u);
  }
  CAF_CHECK_EQUAL(srv.snapshot().held, 0u);
  fake_client third{srv.port()};
  third.write(http::verb::post, "/v1/chat/completions", openai_body("x y", true),
              {{"x-fake-hold", "3"}});
  CAF_CHECK(eventually([&] { return srv.snapshot().held == 1; }));
  CAF_CHECK_EQUAL(parse_object(post("/fake/release", "").body)["released"].as_int64(), 1);
  CAF_CHECK_EQUAL(split_sse(third.read().body).size(), 5u);
}

CAF_TEST(stopping the server closes a held stream) {
  fake_client held{srv.port()};
  held.write(http::verb::post, "/v1/chat/completions", openai_body("x y", true),
             {{"x-fake-hold", "1"}});
  CAF_REQUIRE(eventually([&] { return srv.snapshot().held == 1; }));
  srv.stop();
  std::string bytes;
  CAF_CHECK(held.drain(bytes) == net::error::eof);
  CAF_CHECK(bytes.find("[DONE]") == std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
