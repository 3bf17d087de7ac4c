#define CAF_SUITE bench.fake_upstream_faults
#include "caf/test/unit_test.hpp"

#include <map>
#include <thread>

#include "fake_client.hpp"
#include "server.hpp"

using namespace et::test;
namespace fake = et::fake;

namespace {

using header_pairs = std::vector<std::pair<std::string, std::string>>;

constexpr const char* openai_chat = "/v1/chat/completions";
constexpr const char* anthropic_chat = "/v1/messages";
constexpr const char* ollama_chat = "/api/chat";
constexpr const char* gemini_chat = "/v1beta/models/gemini-fake:generateContent";
constexpr const char* gemini_sse = "/v1beta/models/gemini-fake:streamGenerateContent?alt=sse";

// One body that every protocol reads: messages for three, contents for Gemini.
std::string body(bool stream, const std::string& model = "m") {
  return R"({"model":")" + model + R"(","max_tokens":100,"stream":)" + (stream ? "true" : "false")
         + R"(,"messages":[{"role":"user","content":"a b c"}],)"
           R"("contents":[{"role":"user","parts":[{"text":"a b c"}]}]})";
}

std::string str(const json::value& v) {
  return v.is_string() ? std::string{v.get_string()} : std::string{};
}

json::object error_of(const fake_reply& r) {
  auto o = parse_object(r.body);
  return o.contains("error") && o["error"].is_object() ? o["error"].as_object() : json::object{};
}

// Waits for a server-side effect that has no reply to signal it; the check
// after it reports a failure if the effect never shows up.
template <class Predicate>
bool eventually(Predicate pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!pred() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  return pred();
}

struct fixture {
  fake::server srv;
  fixture() { CAF_REQUIRE(srv.start().has_value()); }

  fake_reply post(const std::string& target, const std::string& b, const header_pairs& h = {}) {
    fake_client client{srv.port()};
    return client.send(http::verb::post, target, b, h);
  }

  fake_reply fault(const std::string& target, const std::string& name, bool stream = false) {
    return post(target, body(stream), {{"x-fake-fault", name}, {"x-fake-retry-after", "7"}});
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(fake_upstream_faults, fixture)

CAF_TEST(a 429 carries the retry hint of each provider) {
  auto openai = fault(openai_chat, "rate_limit");
  CAF_CHECK_EQUAL(openai.status, 429u);
  CAF_CHECK_EQUAL(openai.header("retry-after"), "7");
  CAF_CHECK_EQUAL(str(error_of(openai)["code"]), "rate_limit_exceeded");
  auto anthropic = fault(anthropic_chat, "429");
  CAF_CHECK_EQUAL(anthropic.status, 429u);
  CAF_CHECK_EQUAL(anthropic.header("retry-after"), "7");
  CAF_CHECK_EQUAL(str(error_of(anthropic)["type"]), "rate_limit_error");
  CAF_CHECK_EQUAL(str(parse_object(anthropic.body)["type"]), "error");
  auto gemini = fault(gemini_chat, "rate_limit");
  CAF_CHECK_EQUAL(gemini.status, 429u);
  CAF_CHECK_EQUAL(str(error_of(gemini)["status"]), "RESOURCE_EXHAUSTED");
  std::string delay;
  auto gemini_error = error_of(gemini); // the loop must not iterate a temporary
  for (const auto& d : gemini_error["details"].as_array())
    if (str(d.as_object().at("@type")) == "type.googleapis.com/google.rpc.RetryInfo")
      delay = str(d.as_object().at("retryDelay"));
  CAF_CHECK_EQUAL(delay, "7s");
  auto ollama = fault(ollama_chat, "rate_limit");
  CAF_CHECK_EQUAL(ollama.status, 429u);
  CAF_CHECK(parse_object(ollama.body)["error"].is_string());
}

CAF_TEST(overloaded is a 529 overloaded_error at Anthropic and a 503 elsewhere) {
  auto anthropic = fault(anthropic_chat, "overloaded");
  CAF_CHECK_EQUAL(anthropic.status, 529u);
  CAF_CHECK_EQUAL(str(error_of(anthropic)["type"]), "overloaded_error");
  CAF_CHECK_EQUAL(anthropic.header("x-should-retry"), "true");
  CAF_CHECK_EQUAL(fault(openai_chat, "overloaded").status, 503u);
  CAF_CHECK_EQUAL(str(error_of(fault(gemini_chat, "503"))["status"]), "UNAVAILABLE");
  auto server_error = fault(openai_chat, "500");
  CAF_CHECK_EQUAL(server_error.status, 500u);
  CAF_CHECK_EQUAL(str(error_of(server_error)["type"]), "server_error");
}

CAF_TEST(a context overflow uses the wording of each provider) {
  auto openai = fault(openai_chat, "context_overflow");
  CAF_CHECK_EQUAL(openai.status, 400u);
  CAF_CHECK_EQUAL(str(error_of(openai)["code"]), "context_length_exceeded");
  auto anthropic = fault(anthropic_chat, "context_overflow");
  CAF_CHECK_EQUAL(anthropic.status, 400u);
  CAF_CHECK(str(error_of(anthropic)["message"]).rfind("prompt is too long", 0) == 0);
  auto gemini = fault(gemini_chat, "context_overflow");
  CAF_CHECK_EQUAL(gemini.status, 400u);
  CAF_CHECK(str(error_of(gemini)["message"]).find("input token count") != std::string::npos);
  auto ollama = fault(ollama_chat, "context_overflow");
  CAF_CHECK_EQUAL(ollama.status, 400u);
  CAF_CHECK(str(parse_object(ollama.body)["error"]).find("exceeds the available context size")
            != std::string::npos);
}

CAF_TEST(an auth fault is a 401 except at Gemini which answers 400 API_KEY_INVALID) {
  auto openai = fault(openai_chat, "unauthorized");
  CAF_CHECK_EQUAL(openai.status, 401u);
  CAF_CHECK_EQUAL(str(error_of(openai)["code"]), "invalid_api_key");
  auto anthropic = fault(anthropic_chat, "401");
  CAF_CHECK_EQUAL(anthropic.status, 401u);
  CAF_CHECK_EQUAL(str(error_of(anthropic)["type"]), "authentication_error");
  auto gemini = fault(gemini_chat, "unauthorized");
  CAF_CHECK_EQUAL(gemini.status, 400u);
  CAF_CHECK(gemini.body.find("API_KEY_INVALID") != std::string::npos);
  CAF_CHECK_EQUAL(fault(ollama_chat, "unauthorized").status, 401u);
}

CAF_TEST(a cut stream ends after the configured content chunks) {
  auto r = post(openai_chat, body(true),
                {{"x-fake-fault", "cut"}, {"x-fake-tokens", "10"}, {"x-fake-cut-after", "3"}});
  CAF_CHECK_EQUAL(r.status, 200u);
  CAF_CHECK(r.ec); // the chunked body never ended
  auto events = split_sse(r.body);
  CAF_CHECK_EQUAL(events.size(), 4u); // the role chunk and three deltas
  CAF_CHECK(r.body.find("[DONE]") == std::string::npos);
}

CAF_TEST(a cut non - streamed answer delivers half its promised body) {
  auto r = post(anthropic_chat, body(false), {{"x-fake-fault", "cut"}});
  CAF_CHECK_EQUAL(r.status, 200u);
  CAF_CHECK(r.ec);
  CAF_CHECK(!is_json(r.body));
}

CAF_TEST(a mid - stream error event uses the format of each provider) {
  auto openai = fault(openai_chat, "stream_error", true);
  auto oe = split_sse(openai.body);
  CAF_REQUIRE(!oe.empty());
  CAF_CHECK(parse_object(oe.back().data).contains("error"));
  CAF_CHECK(!openai.ec); // the stream itself ends cleanly
  auto anthropic = fault(anthropic_chat, "stream_error", true);
  auto ae = split_sse(anthropic.body);
  CAF_REQUIRE(!ae.empty());
  CAF_CHECK_EQUAL(ae.back().name, "error");
  CAF_CHECK_EQUAL(str(parse_object(ae.back().data)["error"].as_object()["type"]),
                  "overloaded_error");
  auto ollama = fault(ollama_chat, "stream_error", true);
  auto lines = split_lines(ollama.body);
  CAF_REQUIRE_EQUAL(lines.size(), 2u); // one content line, then the error
  CAF_CHECK(parse_object(lines.back())["error"].is_string());
  auto gemini = fault(gemini_sse, "stream_error", true);
  auto ge = split_sse(gemini.body);
  CAF_REQUIRE(!ge.empty());
  CAF_CHECK_EQUAL(str(parse_object(ge.back().data)["error"].as_object()["status"]), "INTERNAL");
}

CAF_TEST(malformed answers are not JSON) {
  auto plain = fault(openai_chat, "malformed");
  CAF_CHECK_EQUAL(plain.status, 200u);
  CAF_CHECK(!is_json(plain.body));
  auto stream = fault(gemini_sse, "malformed", true);
  auto events = split_sse(stream.body);
  CAF_REQUIRE(!events.empty());
  CAF_CHECK(is_json(events.front().data));
  CAF_CHECK(!is_json(events.back().data));
}

CAF_TEST(fail first fails the first requests of a model and then answers) {
  header_pairs h{{"x-fake-fail-first", "2"}};
  CAF_CHECK_EQUAL(post(openai_chat, body(false, "flaky"), h).status, 500u);
  CAF_CHECK_EQUAL(post(openai_chat, body(false, "steady"), h).status, 500u); // its own count
  CAF_CHECK_EQUAL(post(openai_chat, body(false, "flaky"), h).status, 500u);
  CAF_CHECK_EQUAL(post(openai_chat, body(false, "flaky"), h).status, 200u);
  h.emplace_back("x-fake-fault", "rate_limit");
  CAF_CHECK_EQUAL(post(anthropic_chat, body(false, "other"), h).status, 429u);
  auto s = srv.snapshot();
  CAF_CHECK_EQUAL(s.faults_injected, 4u);
  CAF_CHECK_EQUAL(s.faults_by_name["server_error"], 3u);
  CAF_CHECK_EQUAL(s.faults_by_name["rate_limit"], 1u);
}

CAF_TEST(a seeded fault probability repeats the same sequence) {
  auto run = [] {
    fake::options o;
    o.default_fault = fake::fault::unavailable;
    o.fault_probability = 0.5;
    o.seed = 42;
    fake::server s{o};
    CAF_REQUIRE(s.start().has_value());
    fake_client client{s.port()};
    std::string statuses;
    for (int i = 0; i < 32; ++i)
      statuses += client.send(http::verb::post, ollama_chat, body(false)).status == 200 ? '.' : 'x';
    return statuses;
  };
  auto first = run();
  CAF_CHECK_EQUAL(first, run());
  CAF_CHECK(first.find('.') != std::string::npos);
  CAF_CHECK(first.find('x') != std::string::npos);
}

CAF_TEST(the refuse mode closes new connections before any answer) {
  fake::options o;
  o.default_fault = fake::fault::refuse;
  fake::server s{o};
  CAF_REQUIRE(s.start().has_value());
  fake_client client{s.port()};
  auto r = client.send(http::verb::post, openai_chat, body(false));
  CAF_CHECK_EQUAL(r.status, 0u);
  CAF_CHECK(r.ec);
  CAF_CHECK_EQUAL(s.snapshot().connections_refused, 1u);
  CAF_CHECK_EQUAL(s.snapshot().requests, 0u);
}

CAF_TEST(a reset fault aborts the connection with a RST) {
  fake_client client{srv.port()};
  client.write(http::verb::post, openai_chat, body(false), {{"x-fake-fault", "reset"}});
  std::string bytes;
  auto ec = client.drain(bytes);
  CAF_CHECK(bytes.empty());
  CAF_CHECK_EQUAL(ec, boost::asio::error::connection_reset);
}

CAF_TEST(a hung request gets no answer until the server stops) {
  fake_client hung{srv.port()};
  hung.write(http::verb::post, openai_chat, body(false), {{"x-fake-fault", "hang"}});
  CAF_CHECK(eventually([this] { return srv.snapshot().faults_by_name["hang"] == 1; }));
  // The server keeps answering others; the hung connection stays silent.
  CAF_CHECK_EQUAL(post(openai_chat, body(false)).status, 200u);
  CAF_CHECK_EQUAL(hung.available(), 0u);
  srv.stop();
  std::string bytes;
  CAF_CHECK(hung.drain(bytes));
  CAF_CHECK(bytes.empty());
}

CAF_TEST(a fault mix draws each of its faults for a share of the requests) {
  fake::options o;
  o.fault_mix = {fake::fault::rate_limit, fake::fault::server_error};
  o.fault_probability = 0.5;
  o.seed = 3;
  fake::server s{o};
  CAF_REQUIRE(s.start().has_value());
  fake_client client{s.port()};
  std::map<unsigned, int> statuses;
  for (int i = 0; i < 64; ++i)
    ++statuses[client.send(http::verb::post, ollama_chat, body(false)).status];
  CAF_CHECK_EQUAL(statuses.size(), 3u);
  CAF_CHECK_GREATER(statuses[200], 0);
  CAF_CHECK_GREATER(statuses[429], 0);
  CAF_CHECK_GREATER(statuses[500], 0);
  auto f = s.snapshot().faults_by_name;
  CAF_CHECK_EQUAL(f["rate_limit"], static_cast<uint64_t>(statuses[429]));
  CAF_CHECK_EQUAL(f["server_error"], static_cast<uint64_t>(statuses[500]));
}

CAF_TEST(only answers sent in full without a fault are billed and reported) {
  CAF_CHECK_EQUAL(post(openai_chat, body(false, "whole")).status, 200u);
  CAF_CHECK_EQUAL(post(anthropic_chat, body(true, "streamed")).status, 200u);
  CAF_CHECK_EQUAL(fault(openai_chat, "cut", true).status, 200u);
  CAF_CHECK_EQUAL(fault(openai_chat, "malformed").status, 200u);
  CAF_CHECK_EQUAL(fault(gemini_sse, "stream_error", true).status, 200u);
  CAF_CHECK_EQUAL(fault(ollama_chat, "rate_limit").status, 429u);
  auto billed = srv.served();
  CAF_CHECK_EQUAL(billed.total.answers, 2u);
  CAF_CHECK_EQUAL(billed.total.prompt_tokens, 6u);     // "a b c" twice
  CAF_CHECK_EQUAL(billed.total.completion_tokens, 6u); // echoed
  CAF_CHECK_EQUAL(billed.models["whole"].answers, 1u);
  CAF_CHECK_EQUAL(billed.models["streamed"].answers, 1u);
  CAF_CHECK_EQUAL(billed.texts["a b c"], 2u);
  fake_client client{srv.port()};
  auto r = client.send(http::verb::get, "/fake/report", "");
  CAF_REQUIRE_EQUAL(r.status, 200u);
  auto o = parse_object(r.body);
  CAF_CHECK_EQUAL(o["served"].as_object()["answers"].to_number<int64_t>(), 2);
  CAF_CHECK_EQUAL(o["faults"].as_object()["cut"].to_number<int64_t>(), 1);
  CAF_CHECK_EQUAL(o["texts"].as_array().size(), 1u);
  auto brief = parse_object(client.send(http::verb::get, "/fake/report?texts=0", "").body);
  CAF_CHECK(!brief.contains("texts"));
}

CAF_TEST_FIXTURE_SCOPE_END()
