#define CAF_SUITE libet.wire.openai
#include "caf/test/unit_test.hpp"

#include "et/util/text.hpp"
#include "et/wire/classify.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using et::wire::test::header;
using et::wire::test::name;
namespace json = boost::json;

namespace {

config::provider openai(std::string key = "sk-test-secret-0123456789") {
  return test::make_provider(config::provider_type::openai, std::move(key));
}

chat_request tool_conversation() {
  chat_request req;
  req.model = "gpt-4.1-nano";
  req.messages = {
      {role::system, "be brief", {}, {}, {}},
      {role::user, "weather in Berlin?", {}, {}, {}},
      {role::assistant, "", {{"call_1", "weather", R"({"city":"Berlin"})"}}, {}, {}},
      {role::tool, "15C", {}, "call_1", "weather"},
  };
  req.tools = {{"weather", "current weather",
                R"({"type":"object","properties":{"city":{"type":"string"}}})"}};
  req.max_tokens = 100;
  req.temperature = 0.25;
  req.top_p = 0.5;
  req.stop = {"END"};
  return req;
}

// Two calls whose deltas interleave by index, then a usage-only chunk.
constexpr std::string_view parallel_tools_stream =
    "data: "
    "{\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"tool_calls\":["
    "{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"alpha\","
    "\"arguments\":\"\"}}]}}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":["
    "{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"beta\","
    "\"arguments\":\"{\\\"y\\\"\"}}]}}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":["
    "{\"index\":0,\"function\":{\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":["
    "{\"index\":1,\"function\":{\"arguments\":\":2}\"}}]}}]}\n\n"
    "data: "
    "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":20,"
    "\"prompt_tokens_details\":{\"cached_tokens\":32},\"completion_tokens_details\":{\"reasoning_"
    "tokens\":8}}}\n\n"
    "data: [DONE]\n\n";

} // namespace

CAF_TEST(the chat body carries messages tools and sampling options) {
  auto c = make_codec(openai());
  auto req = c->chat(tool_conversation(), false);
  CAF_REQUIRE(req.has_value());
  CAF_CHECK_EQUAL(req->method, "POST");
  CAF_CHECK_EQUAL(req->target, "/v1/chat/completions");
  auto body = json::parse(req->body).as_object();
  CAF_CHECK_EQUAL(body.at("model").as_string(), "gpt-4.1-nano");
  CAF_CHECK_EQUAL(body.at("max_tokens").as_int64(), 100);
  CAF_CHECK_EQUAL(body.at("temperature").as_double(), 0.25);
  CAF_CHECK_EQUAL(body.at("top_p").as_double(), 0.5);
  CAF_CHECK_EQUAL(body.at("stop").as_array().at(0).as_string(), "END");
  CAF_CHECK_EQUAL(body.at("stream").as_bool(), false);
  CAF_CHECK(!body.contains("stream_options"));
  const auto& msgs = body.at("messages").as_array();
  CAF_REQUIRE_EQUAL(msgs.size(), 4u);
  CAF_CHECK_EQUAL(msgs[0].at("role").as_string(), "system");
  CAF_CHECK_EQUAL(msgs[1].at("content").as_string(), "weather in Berlin?");
  CAF_CHECK(msgs[2].at("content").is_null());
  const auto& call = msgs[2].at("tool_calls").as_array().at(0);
  CAF_CHECK_EQUAL(call.at("id").as_string(), "call_1");
  CAF_CHECK_EQUAL(call.at("function").at("name").as_string(), "weather");
  CAF_CHECK_EQUAL(call.at("function").at("arguments").as_string(), R"({"city":"Berlin"})");
  CAF_CHECK_EQUAL(msgs[3].at("role").as_string(), "tool");
  CAF_CHECK_EQUAL(msgs[3].at("tool_call_id").as_string(), "call_1");
  CAF_CHECK_EQUAL(msgs[3].at("content").as_string(), "15C");
  const auto& tool = body.at("tools").as_array().at(0);
  CAF_CHECK_EQUAL(tool.at("type").as_string(), "function");
  CAF_CHECK_EQUAL(tool.at("function").at("name").as_string(), "weather");
  CAF_CHECK_EQUAL(
      tool.at("function").at("parameters").at("properties").at("city").at("type").as_string(),
      "string");
}

CAF_TEST(a streamed request asks for usage in the stream) {
  auto req = make_codec(openai())->chat(tool_conversation(), true);
  CAF_REQUIRE(req.has_value());
  auto body = json::parse(req->body).as_object();
  CAF_CHECK_EQUAL(body.at("stream").as_bool(), true);
  CAF_CHECK_EQUAL(body.at("stream_options").at("include_usage").as_bool(), true);
  CAF_CHECK_EQUAL(header(*req, "accept"), "text/event-stream");
}

CAF_TEST(reasoning models on api.openai.com get max_completion_tokens and no temperature) {
  auto req = tool_conversation();
  req.model = "o3-mini";
  auto body = json::parse(make_codec(openai())->chat(req, false)->body).as_object();
  CAF_CHECK_EQUAL(body.at("max_completion_tokens").as_int64(), 100);
  CAF_CHECK(!body.contains("max_tokens"));
  CAF_CHECK(!body.contains("temperature"));
  req.model = "gpt-5-mini";
  body = json::parse(make_codec(openai())->chat(req, false)->body).as_object();
  CAF_CHECK(body.contains("max_completion_tokens"));
  // A compatible server with a model of the same name keeps max_tokens.
  auto local = openai("");
  local.base_url = "http://localhost:8000/v1";
  body = json::parse(make_codec(local)->chat(req, false)->body).as_object();
  CAF_CHECK_EQUAL(body.at("max_tokens").as_int64(), 100);
  CAF_CHECK_EQUAL(body.at("temperature").as_double(), 0.25);
}

CAF_TEST(bearer auth is sent only when a key is set) {
  auto with = make_codec(openai())->chat(tool_conversation(), false);
  CAF_CHECK_EQUAL(header(*with, "Authorization"), "Bearer sk-test-secret-0123456789");
  auto p = openai("");
  p.base_url = "http://127.0.0.1:8080/v1";
  auto without = make_codec(p)->chat(tool_conversation(), false);
  CAF_CHECK_EQUAL(header(*without, "Authorization"), "<none>");
  CAF_CHECK_EQUAL(without->target, "/v1/chat/completions");
  CAF_CHECK(without->body.find("sk-") == std::string::npos);
}

CAF_TEST(basic auth organization and extra headers are sent) {
  auto p = openai("alice:s3cret");
  p.auth = config::auth_type::basic;
  p.base_url = "https://openrouter.ai/api/v1";
  p.org = "org-42";
  p.headers = {{"HTTP-Referer", "https://example.org"}, {"accept", "application/x-custom"}};
  auto req = make_codec(p)->chat(tool_conversation(), false);
  CAF_CHECK_EQUAL(req->target, "/api/v1/chat/completions");
  CAF_CHECK_EQUAL(header(*req, "Authorization"), "Basic YWxpY2U6czNjcmV0");
  CAF_CHECK_EQUAL(header(*req, "OpenAI-Organization"), "org-42");
  CAF_CHECK_EQUAL(header(*req, "HTTP-Referer"), "https://example.org");
  CAF_CHECK_EQUAL(header(*req, "Accept"), "application/x-custom");
  p.auth = config::auth_type::none;
  CAF_CHECK_EQUAL(header(*make_codec(p)->chat(tool_conversation(), false), "Authorization"),
                  "<none>");
}

CAF_TEST(parallel tool call deltas are assembled by index) {
  auto c = make_codec(openai());
  auto out = test::run_stream(*c, parallel_tools_stream);
  CAF_REQUIRE(!out.error);
  const auto& r = out.response;
  CAF_REQUIRE_EQUAL(r.tool_calls.size(), 2u);
  CAF_CHECK(r.tool_calls[0] == (tool_call{"call_a", "alpha", R"({"x":1})"}));
  CAF_CHECK(r.tool_calls[1] == (tool_call{"call_b", "beta", R"({"y":2})"}));
  CAF_CHECK_EQUAL(to_string(r.finish), "tool_calls");
  CAF_CHECK_EQUAL(r.id, "c1");
  CAF_CHECK_EQUAL(r.model, "m");
  CAF_CHECK(r.tokens == (usage{50, 20, 32, 0, 8}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, parallel_tools_stream), 0u);
  CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, parallel_tools_stream,
                                             parallel_tools_stream.rfind("[DONE]") + 6),
                  0u);
}

CAF_TEST(a mid stream error chunk is a typed failure) {
  std::string stream = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
                       "data: {\"error\":{\"message\":\"upstream overloaded\",\"code\":503}}\n\n";
  auto c = make_codec(openai());
  auto out = test::run_stream(*c, stream);
  CAF_REQUIRE(out.error.has_value());
  CAF_CHECK_EQUAL(name(out.error->code), "overloaded");
  CAF_CHECK_EQUAL(out.error->message, "upstream overloaded");
  CAF_CHECK_EQUAL(out.text, "Hel");
  CAF_CHECK_EQUAL(test::split_mismatches(*c, stream), 0u);
}

CAF_TEST(a stream cut before done is interrupted) {
  std::string stream =
      "data: "
      "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\n";
  auto out = test::run_stream(*make_codec(openai()), stream);
  CAF_REQUIRE(out.error.has_value());
  CAF_CHECK_EQUAL(name(out.error->code), "stream_interrupted");
  CAF_CHECK_EQUAL(out.text, "Hi");
}

CAF_TEST(a malformed chunk is invalid input) {
  auto out = test::run_stream(*make_codec(openai()), "data: {not json}\n\n");
  CAF_REQUIRE(out.error.has_value());
  CAF_CHECK_EQUAL(name(out.error->code), "invalid_input");
}

CAF_TEST(a 200 body carrying an error is a typed failure) {
  auto r = make_codec(openai())->decode_chat(
      R"({"error":{"message":"Rate limit exceeded: free-models-per-day","code":429}})");
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK_EQUAL(name(r.error().code), "rate_limited");
}

CAF_TEST(model listing reads ids and context lengths) {
  auto c = make_codec(openai());
  auto req = c->list_models("");
  CAF_CHECK_EQUAL(req.method, "GET");
  CAF_CHECK_EQUAL(req.target, "/v1/models");
  CAF_CHECK(req.body.empty());
  CAF_CHECK_EQUAL(header(req, "Authorization"), "Bearer sk-test-secret-0123456789");
  auto page = c->decode_models(
      R"({"object":"list","data":[{"id":"gpt-4.1","object":"model"},{"id":"meta/llama","name":"Llama","context_length":131072},{"id":"qwen","max_model_len":32768}]})");
  CAF_REQUIRE(page.has_value());
  CAF_REQUIRE_EQUAL(page->models.size(), 3u);
  CAF_CHECK(page->models[0] == (model_info{"gpt-4.1", "", std::nullopt}));
  CAF_CHECK(page->models[1] == (model_info{"meta/llama", "Llama", 131072}));
  CAF_CHECK_EQUAL(*page->models[2].context_window, 32768);
  CAF_CHECK(page->next_page.empty());
  CAF_CHECK(!c->decode_models("[]").has_value());
}

CAF_TEST(a recorded completion decodes text usage and finish reason) {
  ET_FIXTURE(body, "openai/chat_completion.json");
  auto r = make_codec(openai())->decode_chat(body);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->content, "2 + 2 equals 4.");
  CAF_CHECK_EQUAL(r->id, "chatcmpl-Cw7VFYxCPRl6sK5eNhLP9dQW3KwCS");
  CAF_CHECK_EQUAL(r->model, "gpt-4.1-nano-2025-04-14");
  CAF_CHECK_EQUAL(to_string(r->finish), "stop");
  CAF_CHECK(r->tokens == (usage{14, 8, 0, 0, 0}));
}

CAF_TEST(a recorded tool call completion decodes the call) {
  ET_FIXTURE(body, "openai/chat_completion_tool_calls.json");
  auto r = make_codec(openai())->decode_chat(body);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->content, "");
  CAF_REQUIRE_EQUAL(r->tool_calls.size(), 1u);
  CAF_CHECK(r->tool_calls[0]
            == (tool_call{"call_Og7v77uIUeIdy1ff3ntB9Vh7", "weather",
                          R"({"latitude": "52.5200", "longitude": "13.4050"})"}));
  CAF_CHECK_EQUAL(to_string(r->finish), "tool_calls");
  CAF_CHECK(r->tokens == (usage{88, 39, 0, 0, 0}));
}

CAF_TEST(a recorded answer after a tool result decodes) {
  ET_FIXTURE(body, "openai/chat_completion_after_tool_result.json");
  auto r = make_codec(openai())->decode_chat(body);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->content,
                  "The current weather in Berlin is 15°C with a wind speed of 10 km/h.");
  CAF_CHECK_EQUAL(r->tokens.prompt_tokens, 143);
}

CAF_TEST(a recorded stream with a usage only final chunk decodes in every split) {
  ET_FIXTURE(bytes, "openai/chat_completion_stream_usage.sse");
  auto c = make_codec(openai());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.response.content, "1, 2, 3");
  CAF_CHECK_EQUAL(out.text, out.response.content);
  CAF_CHECK_EQUAL(to_string(out.response.finish), "stop");
  CAF_CHECK(out.response.tokens == (usage{14, 7, 0, 0, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
  CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, bytes, bytes.rfind("[DONE]") + 6), 0u);
}

CAF_TEST(a recorded 2024 stream decodes in every split) {
  ET_FIXTURE(bytes, "openai/chat_completion_stream_usage_2024.sse");
  auto c = make_codec(openai());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.response.model, "gpt-4o-2024-08-06");
  CAF_CHECK_EQUAL(out.text, out.response.content);
  CAF_CHECK(out.response.tokens == (usage{14, 30, 0, 0, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
}

CAF_TEST(a recorded stream cut by max tokens finishes with length) {
  ET_FIXTURE(bytes, "openai/chat_completion_stream_finish_length.sse");
  auto c = make_codec(openai());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.response.content, "{\"");
  CAF_CHECK_EQUAL(to_string(out.response.finish), "length");
  CAF_CHECK(out.response.tokens == (usage{79, 1, 0, 0, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
  CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, bytes, bytes.rfind("[DONE]") + 6), 0u);
}

CAF_TEST(a recorded tool call stream assembles the arguments) {
  ET_FIXTURE(bytes, "openai/chat_completion_stream_tool_calls.sse");
  auto c = make_codec(openai());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_REQUIRE_EQUAL(out.response.tool_calls.size(), 1u);
  CAF_CHECK(out.response.tool_calls[0]
            == (tool_call{"call_c91SqDXlYFuETYv8mUHzz6pp", "GetWeatherArgs",
                          R"({"city":"Edinburgh","country":"UK","units":"c"})"}));
  CAF_CHECK_EQUAL(to_string(out.response.finish), "tool_calls");
  CAF_CHECK(out.response.tokens == (usage{76, 24, 0, 0, 0}));
  CAF_CHECK_EQUAL(out.chunks, 0u);
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
  CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, bytes, bytes.rfind("[DONE]") + 6), 0u);
}

CAF_TEST(recorded 2026 payloads framed as sse decode to the full text) {
  ET_FIXTURE(payloads, "openai/chat_completion_stream_payloads_2026.ndjson");
  auto bytes = test::frame_as_sse(payloads, true);
  auto c = make_codec(openai());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.response.content.size(), 1730u);
  CAF_CHECK(starts_with(out.response.content, "**Holiday Name:** Harmony Day"));
  CAF_CHECK_EQUAL(out.text, out.response.content);
  CAF_CHECK(out.response.tokens == (usage{16, 300, 0, 0, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes, 1500), 0u);
}

CAF_TEST(a recorded ollama v1 stream delivers reasoning and text) {
  ET_FIXTURE(bytes, "ollama/openai_compat_stream_local_qwen3.sse");
  auto p = openai("");
  p.base_url = "http://localhost:11434/v1";
  auto c = make_codec(p);
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK(starts_with(out.response.reasoning, "Okay, the user wants me"));
  CAF_CHECK_EQUAL(out.reasoning, out.response.reasoning);
  CAF_CHECK_EQUAL(out.text, out.response.content);
  CAF_CHECK(out.response.content.find('3') != std::string::npos);
  CAF_CHECK(out.response.tokens == (usage{17, 289, 0, 0, 0}));
  CAF_CHECK_EQUAL(to_string(out.response.finish), "stop");
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes, 1000), 0u);
  CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, bytes, bytes.rfind("[DONE]") + 6, 500), 0u);
}
