#define CAF_SUITE libet.wire.gemini
#include "caf/test/unit_test.hpp"

#include "image_test_support.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using et::wire::test::header;
using et::wire::test::name;
namespace json = boost::json;

namespace {

const std::string key = "AIzaSy-test-key-0123456789";

config::provider gemini() {
  return test::make_provider(config::provider_type::gemini, key);
}

chat_request tool_conversation() {
  chat_request req;
  req.model = "models/gemini-2.5-flash";
  req.messages = {
      {role::system, "be brief", {}, {}, {}},
      {role::system, "use metric units", {}, {}, {}},
      {role::user, "weather in Berlin?", {}, {}, {}},
      {role::assistant, "", {{"call_0", "weather", R"({"city":"Berlin"})"}}, {}, {}},
      {role::tool, "15C", {}, "call_0", ""}, // no name: taken from the call
      {role::user, "and tomorrow?", {}, {}, {}},
  };
  req.tools = {
      {"weather", "current weather",
       R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
                    "properties":{"city":{"type":"string"},"strict":{"type":"boolean"}}})"}};
  req.temperature = 0.7;
  req.top_p = 0.95;
  req.max_tokens = 512;
  req.stop = {"STOP!"};
  return req;
}

// A thought part, two text chunks, then the finish with usage.
constexpr std::string_view thinking_stream =
    "data: "
    "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Planning.\",\"thought\":true}],\"role\":"
    "\"model\"},\"index\":0}],"
    "\"usageMetadata\":{\"promptTokenCount\":9,\"totalTokenCount\":9},\"modelVersion\":\"gemini-2."
    "5-pro\",\"responseId\":\"r1\"}\r\n\r\n"
    "data: "
    "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello\"}],\"role\":\"model\"},\"index\":"
    "0}],"
    "\"usageMetadata\":{\"promptTokenCount\":9},\"modelVersion\":\"gemini-2.5-pro\",\"responseId\":"
    "\"r1\"}\r\n\r\n"
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" "
    "world\"}],\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\",\"index\":0}],"
    "\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":2,\"thoughtsTokenCount\":5,"
    "\"cachedContentTokenCount\":4},"
    "\"modelVersion\":\"gemini-2.5-pro\",\"responseId\":\"r1\"}\r\n\r\n";

} // namespace

CAF_TEST(the key goes in x - goog - api - key and never in the target) {
  auto c = make_codec(gemini());
  auto plain = c->chat(tool_conversation(), false);
  CAF_REQUIRE(plain.has_value());
  CAF_CHECK_EQUAL(plain->target, "/v1beta/models/gemini-2.5-flash:generateContent");
  CAF_CHECK_EQUAL(header(*plain, "x-goog-api-key"), key);
  CAF_CHECK_EQUAL(header(*plain, "Authorization"), "<none>");
  auto streamed = c->chat(tool_conversation(), true);
  CAF_CHECK_EQUAL(streamed->target,
                  "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  for (const auto& r : {*plain, *streamed, c->list_models(""), c->list_models("tok")}) {
    CAF_CHECK(r.target.find(key) == std::string::npos);
    CAF_CHECK(r.target.find("key=") == std::string::npos);
    CAF_CHECK(r.body.find(key) == std::string::npos);
  }
  auto p = gemini();
  p.auth = config::auth_type::none;
  CAF_CHECK_EQUAL(header(*make_codec(p)->chat(tool_conversation(), false), "x-goog-api-key"),
                  "<none>");
}

CAF_TEST(system messages become systemInstruction and roles are user and model) {
  auto body = json::parse(make_codec(gemini())->chat(tool_conversation(), false)->body).as_object();
  const auto& sys = body.at("systemInstruction").at("parts").as_array();
  CAF_REQUIRE_EQUAL(sys.size(), 2u);
  CAF_CHECK_EQUAL(sys[1].at("text").as_string(), "use metric units");
  const auto& contents = body.at("contents").as_array();
  CAF_REQUIRE_EQUAL(contents.size(), 3u);
  CAF_CHECK_EQUAL(contents[0].at("role").as_string(), "user");
  CAF_CHECK_EQUAL(contents[1].at("role").as_string(), "model");
  const auto& call = contents[1].at("parts").as_array().at(0).at("functionCall");
  CAF_CHECK_EQUAL(call.at("name").as_string(), "weather");
  CAF_CHECK_EQUAL(call.at("args").at("city").as_string(), "Berlin");
  // The function response and the next question share one user turn.
  CAF_CHECK_EQUAL(contents[2].at("role").as_string(), "user");
  const auto& parts = contents[2].at("parts").as_array();
  CAF_REQUIRE_EQUAL(parts.size(), 2u);
  const auto& fr = parts[0].at("functionResponse");
  CAF_CHECK_EQUAL(fr.at("name").as_string(), "weather");
  CAF_CHECK_EQUAL(fr.at("response").at("result").as_string(), "15C");
  CAF_CHECK_EQUAL(parts[1].at("text").as_string(), "and tomorrow?");
}

CAF_TEST(generation config and tools are sent in gemini spelling) {
  auto body = json::parse(make_codec(gemini())->chat(tool_conversation(), false)->body).as_object();
  const auto& g = body.at("generationConfig").as_object();
  CAF_CHECK_EQUAL(g.at("temperature").as_double(), 0.7);
  CAF_CHECK_EQUAL(g.at("topP").as_double(), 0.95);
  CAF_CHECK_EQUAL(g.at("maxOutputTokens").as_int64(), 512);
  CAF_CHECK_EQUAL(g.at("stopSequences").as_array().at(0).as_string(), "STOP!");
  const auto& decl = body.at("tools").as_array().at(0).at("functionDeclarations").as_array().at(0);
  CAF_CHECK_EQUAL(decl.at("name").as_string(), "weather");
  const auto& params = decl.at("parameters").as_object();
  CAF_CHECK(!params.contains("$schema"));
  CAF_CHECK(!params.contains("additionalProperties"));
  // A property that happens to be called "strict" is a property, not a keyword.
  CAF_CHECK(params.at("properties").as_object().contains("strict"));
}

CAF_TEST(a thought signature survives a round trip through the tool call id) {
  auto c = make_codec(gemini());
  auto r = c->decode_chat(
      R"({"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"a":1}},"thoughtSignature":"SIG=="}],"role":"model"},"finishReason":"STOP"}]})");
  CAF_REQUIRE(r.has_value());
  CAF_REQUIRE_EQUAL(r->tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(r->tool_calls[0].arguments, R"({"a":1})");
  CAF_CHECK_EQUAL(to_string(r->finish), "tool_calls");
  chat_request req;
  req.model = "gemini-3-pro";
  req.messages = {{role::user, "go", {}, {}, {}},
                  {role::assistant, "", r->tool_calls, {}, {}},
                  {role::tool, R"({"ok":true})", {}, r->tool_calls[0].id, ""}};
  auto body = json::parse(c->chat(req, false)->body).as_object();
  const auto& contents = body.at("contents").as_array();
  const auto& part = contents[1].at("parts").as_array().at(0);
  CAF_CHECK_EQUAL(part.at("thoughtSignature").as_string(), "SIG==");
  CAF_CHECK_EQUAL(part.at("functionCall").at("name").as_string(), "f");
  const auto& fr = contents[2].at("parts").as_array().at(0).at("functionResponse");
  CAF_CHECK_EQUAL(fr.at("name").as_string(), "f");
  CAF_CHECK_EQUAL(fr.at("response").at("ok").as_bool(), true);
}

CAF_TEST(thought parts are reasoning and usage counts thoughts as completion) {
  auto c = make_codec(gemini());
  auto out = test::run_stream(*c, thinking_stream);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.response.reasoning, "Planning.");
  CAF_CHECK_EQUAL(out.reasoning, "Planning.");
  CAF_CHECK_EQUAL(out.response.content, "Hello world");
  CAF_CHECK_EQUAL(out.text, "Hello world");
  CAF_CHECK_EQUAL(out.response.id, "r1");
  CAF_CHECK_EQUAL(out.response.model, "gemini-2.5-pro");
  CAF_CHECK_EQUAL(to_string(out.response.finish), "length");
  CAF_CHECK(out.response.tokens == (usage{9, 7, 4, 0, 5}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, thinking_stream), 0u);
  CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, thinking_stream, thinking_stream.rfind('}') + 1),
                  0u);
}

CAF_TEST(an error object mid stream is a typed failure) {
  std::string stream = std::string{thinking_stream.substr(0, thinking_stream.find("data: ", 10))}
                       + "data: {\"error\":{\"code\":503,\"message\":\"The model is "
                         "overloaded.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n";
  auto c = make_codec(gemini());
  auto out = test::run_stream(*c, stream);
  CAF_REQUIRE(out.error.has_value());
  CAF_CHECK_EQUAL(name(out.error->code), "overloaded");
  CAF_CHECK_EQUAL(out.error->message, "The model is overloaded.");
  CAF_CHECK_EQUAL(test::split_mismatches(*c, stream), 0u);
}

CAF_TEST(a blocked prompt finishes with content_filter) {
  auto r = make_codec(gemini())->decode_chat(
      R"({"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":3}})");
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(to_string(r->finish), "content_filter");
  CAF_CHECK_EQUAL(r->tokens.prompt_tokens, 3);
}

CAF_TEST(model listing strips the models prefix and pages with pageToken) {
  auto c = make_codec(gemini());
  CAF_CHECK_EQUAL(c->list_models("").target, "/v1beta/models?pageSize=1000");
  CAF_CHECK_EQUAL(c->list_models("a/b=").target, "/v1beta/models?pageSize=1000&pageToken=a%2Fb%3D");
  CAF_CHECK_EQUAL(header(c->list_models(""), "x-goog-api-key"), key);
  auto page = c->decode_models(
      R"({"models":[{"name":"models/gemini-2.5-pro","displayName":"Gemini 2.5 Pro","inputTokenLimit":1048576}],"nextPageToken":"Chl0"})");
  CAF_REQUIRE(page.has_value());
  CAF_REQUIRE_EQUAL(page->models.size(), 1u);
  CAF_CHECK(page->models[0] == (model_info{"gemini-2.5-pro", "Gemini 2.5 Pro", 1048576}));
  CAF_CHECK_EQUAL(page->next_page, "Chl0");
}

// -- recorded ---------------------------------------------------------------

CAF_TEST(a recorded generateContent answer decodes with thoughts in usage) {
  ET_FIXTURE(body, "gemini/generate_content.json");
  auto r = make_codec(gemini())->decode_chat(body);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->content, "2 + 2 = **4**");
  CAF_CHECK_EQUAL(r->model, "gemini-2.5-flash");
  CAF_CHECK_EQUAL(to_string(r->finish), "stop");
  CAF_CHECK(r->tokens == (usage{10, 31, 0, 0, 23}));
}

CAF_TEST(a recorded function call decodes with its arguments) {
  ET_FIXTURE(body, "gemini/generate_content_function_call.json");
  auto r = make_codec(gemini())->decode_chat(body);
  CAF_REQUIRE(r.has_value());
  CAF_REQUIRE_EQUAL(r->tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(r->tool_calls[0].name, "weather");
  CAF_CHECK_EQUAL(r->tool_calls[0].arguments, R"({"latitude":"52.5200","longitude":"13.4050"})");
  CAF_CHECK(r->tool_calls[0].id.find("#sig:CsIEARFNMg8g") != std::string::npos);
  CAF_CHECK_EQUAL(to_string(r->finish), "tool_calls");
  CAF_CHECK(r->tokens == (usage{103, 136, 0, 0, 106}));
}

CAF_TEST(recorded crlf framed streams decode in every split) {
  struct expect {
    const char* file;
    const char* starts;
    size_t calls;
    usage tokens;
  };
  if (test::fixtures_dir().empty()) {
    CAF_MESSAGE("skipped: no fixtures");
    return;
  }
  for (const expect& e :
       {expect{"gemini/stream_generate_content.sse",
               "Let's think step-by-step",
               0,
               {13, 208, 0, 0, 137}},
        expect{"gemini/stream_generate_content_single_chunk.sse", "1, 2, 3", 0, {8, 27, 0, 0, 20}},
        expect{"gemini/stream_generate_content_function_call.sse", "", 1, {103, 73, 0, 0, 43}},
        expect{
            "gemini/stream_generate_content_curl.sse", "Here you go!", 0, {5, 230, 0, 0, 186}}}) {
    auto bytes = *test::read_fixture(e.file);
    auto c = make_codec(gemini());
    auto out = test::run_stream(*c, bytes);
    CAF_MESSAGE(e.file);
    CAF_REQUIRE(!out.error);
    CAF_CHECK(out.response.content.rfind(e.starts, 0) == 0);
    CAF_CHECK_EQUAL(out.text, out.response.content);
    CAF_CHECK_EQUAL(out.response.tool_calls.size(), e.calls);
    CAF_CHECK(out.response.tokens == e.tokens);
    CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
    CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, bytes, bytes.rfind('}') + 1), 0u);
  }
}

CAF_TEST(recorded eleven chunk payloads keep the final usage) {
  ET_FIXTURE(payloads, "gemini/stream_payloads_11_chunks.ndjson");
  auto bytes = test::frame_as_sse(payloads, false);
  auto c = make_codec(gemini());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK(out.response.content.rfind("The sky is blue due to", 0) == 0);
  CAF_CHECK_EQUAL(out.chunks, 11u);
  CAF_CHECK(out.response.tokens == (usage{6, 377, 0, 0, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
}

CAF_TEST(the recorded model list decodes context windows) {
  ET_FIXTURE(body, "gemini/models_list.json");
  auto page = make_codec(gemini())->decode_models(body);
  CAF_REQUIRE(page.has_value());
  CAF_CHECK_EQUAL(page->models.size(), 9u);
  CAF_CHECK(page->models[0] == (model_info{"gemini-2.5-flash", "Gemini 2.5 Flash", 1048576}));
  CAF_CHECK(page->next_page.empty());
}

// -- images -----------------------------------------------------------------

CAF_TEST(a user turn with images is sent as text and inlineData parts in order) {
  auto req = test::request_of("gemini-2.5-flash",
                              {test::user_with_bytes_only(), test::user_says("no pictures")});
  auto expected = test::compact(R"([{"role": "user", "parts": [
    {"text": "Look: "},
    {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
    {"text": "and here: "},
    {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}},
    {"text": "done"},
    {"text": "no pictures"}]}])");
  auto c = make_codec(gemini());
  auto chat = c->chat(req, false);
  CAF_REQUIRE(chat.has_value());
  CAF_CHECK_EQUAL(test::member(chat->body, "contents"), expected);
  auto count = c->count_tokens(req);
  CAF_REQUIRE(count.has_value());
  auto inner = json::parse(count->body).at("generateContentRequest").at("contents");
  CAF_CHECK_EQUAL(json::serialize(inner), expected);
}

CAF_TEST(a round of tool results is followed by their inlineData parts in the same turn) {
  auto req = test::request_of("gemini-2.5-flash", test::tool_round_with_images(false));
  auto out = make_codec(gemini())->chat(req, false);
  CAF_REQUIRE(out.has_value());
  auto calls = test::three_calls(R"({"functionCall": {"name": "shoot", "args": {}}})");
  auto result = [](std::string_view text) {
    return R"({"functionResponse": {"name": "shoot", "response": {"result": ")" + std::string{text}
           + R"("}}})";
  };
  CAF_CHECK_EQUAL(test::member(out->body, "contents"), test::compact(R"([
    {"role": "user", "parts": [{"text": "take pictures"}]},
    {"role": "model", "parts": [)" + calls + R"(]},
    {"role": "user", "parts": [)" + result("front") + "," + result("none")
                                                                     + "," + result("back") + R"(,
      {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
      {"inlineData": {"mimeType": "image/gif", "data": "R0lGODlh"}},
      {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}},
      {"text": "compare them"}]}])"));
}

CAF_TEST(image links are unsupported in chats and token counts) {
  auto in_user = test::request_of("gemini-2.5-flash", {test::user_with_images()});
  auto in_tool = in_user;
  in_tool.messages = test::tool_round_with_images();
  auto c = make_codec(gemini());
  for (const auto& req : {in_user, in_tool})
    for (const auto& out : {c->chat(req, false), c->chat(req, true), c->count_tokens(req)}) {
      CAF_REQUIRE(!out.has_value());
      CAF_CHECK_EQUAL(name(out.error().code), "unsupported");
      CAF_CHECK_EQUAL(
          out.error().message,
          "gemini: links to images and documents are not supported: send their bytes (base64)");
    }
}

CAF_TEST(an empty stop before any text or usage does not end the answer) {
  // Some translating proxies send an empty STOP first; Gemini's own last chunk has its usage.
  std::string stream =
      "data: {\"candidates\":[{\"content\":{\"parts\":[]},\"finishReason\":\"STOP\"}]}\r\n\r\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello\"}]},"
      "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":3,"
      "\"candidatesTokenCount\":1}}\r\n\r\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" and more\"}]}}]}\r\n\r\n";
  auto c = make_codec(gemini());
  auto out = test::run_stream(*c, stream);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.text, "Hello"); // what came after the real end is not the answer's
  CAF_CHECK_EQUAL(out.response.content, "Hello");
  CAF_CHECK_EQUAL(out.response.tokens.completion_tokens, 1);
}
