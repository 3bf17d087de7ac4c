#define CAF_SUITE libet.wire.count
#include "caf/test/unit_test.hpp"

#include "et/llm/plausible.hpp"
#include "wire_test_support.hpp"

// Token counting: the request Anthropic's and Gemini's codecs build (what the model would read,
// without the answer's settings), the answers they accept, and the hostile ones they refuse.
// Bodies are written from the providers' documentation.

using namespace et;
using namespace et::wire;
using et::wire::test::header;
using et::wire::test::name;
namespace json = boost::json;

namespace {

constexpr auto anthropic = config::provider_type::anthropic;
constexpr auto gemini = config::provider_type::gemini;
constexpr auto openai = config::provider_type::openai;

std::unique_ptr<codec> codec_of(config::provider_type t) {
  return make_codec(test::make_provider(t));
}

// A conversation with a system prompt, a tool and every answer setting a chat may carry.
chat_request conversation(std::string model) {
  chat_request req;
  req.model = std::move(model);
  req.messages = {message{role::system, "be brief", {}, {}, {}},
                  message{role::user, "count these words", {}, {}, {}}};
  req.tools = {tool_spec{"lookup", "find a thing", R"({"type":"object"})"}};
  req.max_tokens = 512;
  req.temperature = 0.5;
  req.top_p = 0.9;
  req.stop = {"END"};
  return req;
}

json::object body_of(const http_request& r) {
  return json::parse(r.body).as_object();
}

// The error class of decoding `body` with protocol `t`, or the count as text.
std::string verdict(config::provider_type t, std::string_view body) {
  auto n = codec_of(t)->decode_count(body);
  return n ? std::to_string(*n) : std::string{name(n.error().code)};
}

} // namespace

CAF_TEST(anthropic counts the prompt without the settings of an answer) {
  auto req = codec_of(anthropic)->count_tokens(conversation("claude-sonnet-4-5"));
  CAF_REQUIRE(req.has_value());
  CAF_CHECK_EQUAL(req->method, "POST");
  CAF_CHECK_EQUAL(req->target, "/v1/messages/count_tokens");
  CAF_CHECK_EQUAL(header(*req, "anthropic-version"), "2023-06-01");
  auto body = body_of(*req);
  CAF_CHECK_EQUAL(json::value_to<std::string>(body.at("model")), "claude-sonnet-4-5");
  CAF_CHECK_EQUAL(json::value_to<std::string>(body.at("system")), "be brief");
  CAF_CHECK_EQUAL(body.at("messages").as_array().size(), 1u);
  CAF_CHECK_EQUAL(body.at("tools").as_array().size(), 1u);
  // The endpoint refuses these as extra inputs.
  for (auto key : {"max_tokens", "temperature", "top_p", "stop_sequences", "stream"})
    CAF_CHECK_EQUAL(std::string{key} + (body.contains(key) ? " sent" : " left out"),
                    std::string{key} + " left out");
}

CAF_TEST(anthropic counts thinking when the request thinks) {
  auto chat = conversation("claude-opus-4-1");
  chat.temperature.reset();
  chat.top_p.reset();
  chat.thinking.asked = thinking_request::want::on;
  chat.thinking.takes = thinking_style::budget;
  chat.thinking.budget_tokens = 2048;
  chat.max_tokens = 8192;
  auto req = codec_of(anthropic)->count_tokens(chat);
  CAF_REQUIRE(req.has_value());
  auto body = body_of(*req);
  CAF_REQUIRE(body.contains("thinking"));
  CAF_CHECK_EQUAL(json::value_to<std::string>(body.at("thinking").as_object().at("type")),
                  "enabled");
  CAF_CHECK(!body.contains("max_tokens"));
}

CAF_TEST(gemini counts the whole generateContent request) {
  auto req = codec_of(gemini)->count_tokens(conversation("models/gemini-2.5-flash"));
  CAF_REQUIRE(req.has_value());
  CAF_CHECK_EQUAL(req->target, "/v1beta/models/gemini-2.5-flash:countTokens");
  CAF_CHECK_EQUAL(header(*req, "x-goog-api-key"), "sk-test-secret-0123456789");
  auto body = body_of(*req);
  CAF_REQUIRE(body.contains("generateContentRequest"));
  CAF_CHECK(!body.contains("contents")); // the two forms are mutually exclusive
  const auto& inner = body.at("generateContentRequest").as_object();
  CAF_CHECK_EQUAL(json::value_to<std::string>(inner.at("model")), "models/gemini-2.5-flash");
  CAF_CHECK(inner.contains("systemInstruction"));
  CAF_CHECK(inner.contains("tools"));
  CAF_CHECK_EQUAL(inner.at("contents").as_array().size(), 1u);
}

CAF_TEST(counts are read from the documented answers) {
  CAF_CHECK_EQUAL(verdict(anthropic, R"({"input_tokens":2095})"), "2095");
  CAF_CHECK_EQUAL(verdict(gemini,
                          R"({"totalTokens":31,"cachedContentTokenCount":0,)"
                          R"("promptTokensDetails":[{"modality":"TEXT","tokenCount":31}]})"),
                  "31");
  // proto3 JSON leaves a zero out: an empty prompt counts nothing.
  CAF_CHECK_EQUAL(verdict(gemini, R"({})"), "0");
}

CAF_TEST(hostile counts are refused) {
  for (auto body : {R"({})", R"({"input_tokens":-1})", R"({"input_tokens":1.5})",
                    R"({"input_tokens":"12"})", R"({"input_tokens":1e300})",
                    R"({"input_tokens":99999999999999999999})", R"([1])", R"(not json)"})
    CAF_CHECK_EQUAL(std::string{body} + ": " + verdict(anthropic, body),
                    std::string{body} + ": invalid_input");
  // A zero is left out only of an answer of count details: anything else without a count is
  // no count (a proxy's object, another endpoint's answer).
  CAF_CHECK_EQUAL(verdict(gemini, R"({"promptTokensDetails":[{"modality":"TEXT"}]})"), "0");
  for (auto body : {R"({"totalTokens":-5})", R"({"totalTokens":true})", R"("7")",
                    R"({"status":"ok"})", R"({"candidates":[]})"})
    CAF_CHECK_EQUAL(std::string{body} + ": " + verdict(gemini, body),
                    std::string{body} + ": invalid_input");
  auto n = codec_of(anthropic)->decode_count(R"({"input_tokens":-1})");
  CAF_REQUIRE(!n);
  CAF_CHECK_EQUAL(n.error().message,
                  "malformed Anthropic token count: \"input_tokens\" is -1, not a token count (a "
                  "whole number from 0 to "
                      + std::to_string(max_token_count) + ")");
}

CAF_TEST(openai counts a conversation as responses input items) {
  auto chat = conversation("gpt-5");
  chat.messages.push_back(message{role::assistant, "", {}, {}, {}});
  chat.messages.back().tool_calls = {tool_call{"call_1", "lookup", R"({"q":"x"})"}};
  chat.messages.push_back(message{role::tool, "found it", {}, "call_1", {}});
  auto req = codec_of(openai)->count_tokens(chat);
  CAF_REQUIRE(req.has_value());
  CAF_CHECK_EQUAL(req->target, "/v1/responses/input_tokens");
  CAF_CHECK_EQUAL(header(*req, "Authorization"), "Bearer sk-test-secret-0123456789");
  auto body = body_of(*req);
  CAF_CHECK_EQUAL(json::value_to<std::string>(body.at("model")), "gpt-5");
  CAF_CHECK(!body.contains("max_output_tokens") && !body.contains("temperature"));
  const auto& items = body.at("input").as_array();
  CAF_REQUIRE_EQUAL(items.size(), 4u);
  CAF_CHECK_EQUAL(json::value_to<std::string>(items[0].at("role")), "system");
  CAF_CHECK_EQUAL(json::value_to<std::string>(items[1].at("content")), "count these words");
  CAF_CHECK_EQUAL(json::value_to<std::string>(items[2].at("type")), "function_call");
  CAF_CHECK_EQUAL(json::value_to<std::string>(items[2].at("call_id")), "call_1");
  CAF_CHECK_EQUAL(json::value_to<std::string>(items[2].at("arguments")), R"({"q":"x"})");
  CAF_CHECK_EQUAL(json::value_to<std::string>(items[3].at("type")), "function_call_output");
  CAF_CHECK_EQUAL(json::value_to<std::string>(items[3].at("output")), "found it");
  // Responses tools are flat: no nested "function" object.
  const auto& tool = body.at("tools").as_array().at(0).as_object();
  CAF_CHECK_EQUAL(json::value_to<std::string>(tool.at("type")), "function");
  CAF_CHECK_EQUAL(json::value_to<std::string>(tool.at("name")), "lookup");
  CAF_CHECK(tool.contains("parameters") && !tool.contains("function"));
  CAF_CHECK_EQUAL(
      verdict(openai, R"({"object":"response.input_tokens","input_tokens":11})"), "11");
  CAF_CHECK_EQUAL(verdict(openai, R"({"object":"response.input_tokens"})"), "invalid_input");
}

CAF_TEST(a gemini error object in a 2xx body is classified and not counted) {
  auto n = codec_of(gemini)->decode_count(
      R"({"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}})");
  CAF_REQUIRE(!n);
  CAF_CHECK_EQUAL(name(n.error().code), "rate_limited");
}

CAF_TEST(protocols and servers without a counting endpoint say so) {
  auto compatible = test::make_provider(openai);
  compatible.base_url = "http://127.0.0.1:8000/v1"; // vLLM, llama.cpp, OpenRouter...
  auto ollama = config::provider_type::ollama;
  for (const auto& c : {make_codec(compatible), codec_of(ollama)}) {
    auto req = c->count_tokens(conversation("m"));
    CAF_REQUIRE(!req);
    CAF_CHECK_EQUAL(name(req.error().code), "unsupported");
  }
  CAF_CHECK_EQUAL(name(codec_of(ollama)->decode_count(R"({"input_tokens":1})").error().code),
                  "unsupported");
  for (auto t : {anthropic, gemini, openai})
    CAF_CHECK_EQUAL(name(codec_of(t)->count_tokens(conversation("")).error().code),
                    "invalid_input");
}
