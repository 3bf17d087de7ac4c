#define CAF_SUITE libet.wire.anthropic
#include "caf/test/unit_test.hpp"

#include "image_test_support.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using et::wire::test::header;
using et::wire::test::name;
namespace json = boost::json;

namespace {

const std::string key = "sk-ant-test-0123456789abcdef";

config::provider anthropic() {
  return test::make_provider(config::provider_type::anthropic, key);
}

chat_request tool_conversation() {
  chat_request req;
  req.model = "claude-haiku-4-5";
  req.messages = {
      {role::system, "be brief", {}, {}, {}},
      {role::system, "answer in English", {}, {}, {}},
      {role::user, "weather in Berlin and Paris?", {}, {}, {}},
      {role::assistant,
       "Checking.",
       {{"toolu_1", "weather", R"({"city":"Berlin"})"},
        {"toolu_2", "weather", R"({"city":"Paris"})"}},
       {},
       {}},
      {role::tool, "15C", {}, "toolu_1", "weather"},
      {role::tool, "18C", {}, "toolu_2", "weather"},
  };
  req.tools = {{"weather", "current weather",
                R"({"type":"object","properties":{"city":{"type":"string"}}})"}};
  req.temperature = 0.5;
  req.stop = {"END"};
  return req;
}

// Thinking, text and a tool call with partial JSON, as the docs describe.
constexpr std::string_view thinking_tool_stream =
    "event: message_start\n"
    "data: "
    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-x\",\"usage\":"
    "{\"input_tokens\":100,\"cache_read_input_tokens\":2000,\"cache_creation_input_tokens\":300,"
    "\"output_tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: "
    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\","
    "\"thinking\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
    "\"thinking\":\"Let me think.\"}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\","
    "\"signature\":\"abc\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    ": a comment\n"
    "event: ping\ndata: {\"type\": \"ping\"}\n\n"
    "event: content_block_start\n"
    "data: "
    "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":"
    "\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":"
    "\"Sure.\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
    "event: content_block_start\n"
    "data: "
    "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":"
    "\"toolu_9\",\"name\":\"weather\",\"input\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{\\\"ci\"}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"ty\\\": \\\"Rome\\\"}\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
    "event: content_block_start\n"
    "data: "
    "{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"tool_use\",\"id\":"
    "\"toolu_10\",\"name\":\"now\",\"input\":{}}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":3}\n\n"
    "event: message_delta\n"
    "data: "
    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_"
    "tokens\":42}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

constexpr std::string_view overloaded_mid_stream =
    "event: message_start\n"
    "data: "
    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"model\":\"claude-x\",\"usage\":{"
    "\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: "
    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":"
    "\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
    "\"Par\"}}\n\n"
    "event: error\n"
    "data: "
    "{\"type\":\"error\",\"error\":{\"details\":null,\"type\":\"overloaded_error\",\"message\":"
    "\"Overloaded\"} }\n\n";

} // namespace

CAF_TEST(all system messages go to the top level system field) {
  auto req = make_codec(anthropic())->chat(tool_conversation(), false);
  CAF_REQUIRE(req.has_value());
  auto body = json::parse(req->body).as_object();
  const auto& system = body.at("system").as_array();
  CAF_REQUIRE_EQUAL(system.size(), 2u);
  CAF_CHECK_EQUAL(system[0].at("text").as_string(), "be brief");
  CAF_CHECK_EQUAL(system[1].at("text").as_string(), "answer in English");
  for (const auto& m : body.at("messages").as_array())
    CAF_CHECK_NOT_EQUAL(m.at("role").as_string(), "system");
  auto single = tool_conversation();
  single.messages.erase(single.messages.begin() + 1);
  body = json::parse(make_codec(anthropic())->chat(single, false)->body).as_object();
  CAF_CHECK_EQUAL(body.at("system").as_string(), "be brief");
}

CAF_TEST(tool calls become tool_use blocks and results one user turn of tool_result blocks) {
  auto body =
      json::parse(make_codec(anthropic())->chat(tool_conversation(), false)->body).as_object();
  const auto& msgs = body.at("messages").as_array();
  CAF_REQUIRE_EQUAL(msgs.size(), 3u);
  CAF_CHECK_EQUAL(msgs[0].at("role").as_string(), "user");
  const auto& assistant = msgs[1].at("content").as_array();
  CAF_REQUIRE_EQUAL(assistant.size(), 3u);
  CAF_CHECK_EQUAL(assistant[0].at("text").as_string(), "Checking.");
  CAF_CHECK_EQUAL(assistant[1].at("type").as_string(), "tool_use");
  CAF_CHECK_EQUAL(assistant[1].at("id").as_string(), "toolu_1");
  CAF_CHECK_EQUAL(assistant[1].at("input").at("city").as_string(), "Berlin");
  CAF_CHECK_EQUAL(msgs[2].at("role").as_string(), "user");
  const auto& results = msgs[2].at("content").as_array();
  CAF_REQUIRE_EQUAL(results.size(), 2u);
  CAF_CHECK_EQUAL(results[0].at("type").as_string(), "tool_result");
  CAF_CHECK_EQUAL(results[0].at("tool_use_id").as_string(), "toolu_1");
  CAF_CHECK_EQUAL(results[1].at("content").as_string(), "18C");
  const auto& tool = body.at("tools").as_array().at(0);
  CAF_CHECK_EQUAL(tool.at("name").as_string(), "weather");
  CAF_CHECK_EQUAL(tool.at("input_schema").at("type").as_string(), "object");
}

CAF_TEST(max_tokens defaults to 4096 and sampling options are sent) {
  auto body =
      json::parse(make_codec(anthropic())->chat(tool_conversation(), true)->body).as_object();
  CAF_CHECK_EQUAL(body.at("max_tokens").as_int64(), 4096);
  CAF_CHECK_EQUAL(body.at("temperature").as_double(), 0.5);
  CAF_CHECK_EQUAL(body.at("stop_sequences").as_array().at(0).as_string(), "END");
  CAF_CHECK_EQUAL(body.at("stream").as_bool(), true);
  auto req = tool_conversation();
  req.max_tokens = 123;
  body = json::parse(make_codec(anthropic())->chat(req, false)->body).as_object();
  CAF_CHECK_EQUAL(body.at("max_tokens").as_int64(), 123);
  CAF_CHECK(!body.contains("stream"));
}

CAF_TEST(the key goes in x - api - key with the anthropic version) {
  auto p = anthropic();
  p.base_url = "https://proxy.example.com/anthropic";
  p.anthropic_version = "2024-01-01";
  auto req = make_codec(p)->chat(tool_conversation(), false);
  CAF_CHECK_EQUAL(req->target, "/anthropic/v1/messages");
  CAF_CHECK_EQUAL(header(*req, "x-api-key"), key);
  CAF_CHECK_EQUAL(header(*req, "anthropic-version"), "2024-01-01");
  CAF_CHECK_EQUAL(header(*req, "Authorization"), "<none>");
  CAF_CHECK(req->body.find(key) == std::string::npos);
  CAF_CHECK(req->target.find(key) == std::string::npos);
  p.auth = config::auth_type::none;
  CAF_CHECK_EQUAL(header(*make_codec(p)->chat(tool_conversation(), false), "x-api-key"), "<none>");
}

CAF_TEST(thinking text and partial json tool input are assembled) {
  auto c = make_codec(anthropic());
  auto out = test::run_stream(*c, thinking_tool_stream);
  CAF_REQUIRE(!out.error);
  const auto& r = out.response;
  CAF_CHECK_EQUAL(r.id, "msg_1");
  CAF_CHECK_EQUAL(r.reasoning, "Let me think.");
  CAF_CHECK_EQUAL(out.reasoning, "Let me think.");
  CAF_CHECK_EQUAL(r.content, "Sure.");
  CAF_CHECK_EQUAL(out.text, "Sure.");
  CAF_REQUIRE_EQUAL(r.tool_calls.size(), 2u);
  CAF_CHECK(r.tool_calls[0] == (tool_call{"toolu_9", "weather", R"({"city": "Rome"})"}));
  CAF_CHECK(r.tool_calls[1] == (tool_call{"toolu_10", "now", "{}"}));
  CAF_CHECK_EQUAL(to_string(r.finish), "tool_calls");
  // prompt = input + cache read + cache write
  CAF_CHECK(r.tokens == (usage{2400, 42, 2000, 300, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, thinking_tool_stream), 0u);
  CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, thinking_tool_stream,
                                             thinking_tool_stream.rfind("message_stop\"}") + 14),
                  0u);
}

CAF_TEST(the stop sequence an answer ended on is kept whole and streamed) {
  auto c = make_codec(anthropic());
  auto whole =
      c->decode_chat(R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x",)"
                     R"("content":[{"type":"text","text":"<a>x"}],"stop_reason":"stop_sequence",)"
                     R"("stop_sequence":"</a>","usage":{"input_tokens":5,"output_tokens":2}})");
  CAF_REQUIRE(whole.has_value());
  CAF_CHECK_EQUAL(to_string(whole->finish), "stop");
  CAF_CHECK_EQUAL(whole->stop_sequence, "</a>");
  std::string stream =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\","
      "\"model\":\"claude-x\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
      "\"stop_sequence\",\"stop_sequence\":\"</a>\"},\"usage\":{\"output_tokens\":2}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  auto out = test::run_stream(*c, stream);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.response.stop_sequence, "</a>");
  // Named without being the reason, or past any client's bound for one: not kept.
  auto natural = c->decode_chat(
      R"({"id":"m","model":"x","content":[],"stop_reason":"end_turn","stop_sequence":"</a>"})");
  CAF_REQUIRE(natural.has_value());
  CAF_CHECK_EQUAL(natural->stop_sequence, "");
  auto huge = c->decode_chat(R"({"id":"m","model":"x","content":[],"stop_reason":"stop_sequence",)"
                             R"("stop_sequence":")"
                             + std::string(5000, 'x') + R"("})");
  CAF_REQUIRE(huge.has_value());
  CAF_CHECK_EQUAL(huge->stop_sequence, "");
}

CAF_TEST(a mid stream error event is a typed failure not a truncation) {
  auto c = make_codec(anthropic());
  auto out = test::run_stream(*c, overloaded_mid_stream);
  CAF_REQUIRE(out.error.has_value());
  CAF_CHECK_EQUAL(name(out.error->code), "overloaded");
  CAF_CHECK_EQUAL(out.error->message, "Overloaded");
  CAF_CHECK_EQUAL(out.text, "Par");
  CAF_CHECK_EQUAL(test::split_mismatches(*c, overloaded_mid_stream), 0u);
  // finish() after the failure repeats it.
  auto dec = c->make_stream_decoder();
  std::vector<chunk> chunks;
  CAF_CHECK(!dec->feed(overloaded_mid_stream, chunks));
  auto fin = dec->finish(chunks);
  CAF_REQUIRE(!fin.has_value());
  CAF_CHECK_EQUAL(name(fin.error().code), "overloaded");
}

CAF_TEST(model listing pages with after_id) {
  auto c = make_codec(anthropic());
  auto first = c->list_models("");
  CAF_CHECK_EQUAL(first.method, "GET");
  CAF_CHECK_EQUAL(first.target, "/v1/models?limit=1000");
  CAF_CHECK_EQUAL(header(first, "x-api-key"), key);
  CAF_CHECK_EQUAL(c->list_models("claude-3-haiku").target,
                  "/v1/models?limit=1000&after_id=claude-3-haiku");
  auto page = c->decode_models(
      R"({"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"},{"type":"model","id":"claude-3-haiku","display_name":"Claude Haiku 3"}],"has_more":true,"first_id":"claude-sonnet-4-5","last_id":"claude-3-haiku"})");
  CAF_REQUIRE(page.has_value());
  CAF_REQUIRE_EQUAL(page->models.size(), 2u);
  CAF_CHECK(page->models[0]
            == (model_info{"claude-sonnet-4-5", "Claude Sonnet 4.5", std::nullopt}));
  CAF_CHECK_EQUAL(page->next_page, "claude-3-haiku");
  auto last = c->decode_models(R"({"data":[],"has_more":false,"last_id":null})");
  CAF_REQUIRE(last.has_value());
  CAF_CHECK(last->next_page.empty());
}

CAF_TEST(a gemini thought signature in a tool call id is not sent to anthropic) {
  auto req = tool_conversation();
  req.messages[3].tool_calls[0].id = "call_0#sig:CsIEARFNMg8g==";
  req.messages[4].tool_call_id = "call_0#sig:CsIEARFNMg8g==";
  auto body = make_codec(anthropic())->chat(req, false)->body;
  CAF_CHECK(body.find("#sig:") == std::string::npos);
  auto msgs = json::parse(body).at("messages").as_array();
  CAF_CHECK_EQUAL(msgs[1].at("content").as_array().at(1).at("id").as_string(), "call_0");
  CAF_CHECK_EQUAL(msgs[2].at("content").as_array().at(0).at("tool_use_id").as_string(), "call_0");
}

// -- images -----------------------------------------------------------------

CAF_TEST(user turns with images are sent as text and image blocks in order) {
  auto only_image = test::user_says("");
  only_image.images = {test::bytes_image("image/gif", "R0lGODlh", 0, "low")};
  auto req = test::request_of(
      "claude-haiku-4-5", {test::user_with_images(), only_image, test::user_says("no pictures")});
  // Consecutive user turns merge into one; no empty text block stands around an image.
  auto expected = test::compact(R"([{"role": "user", "content": [
    {"type": "text", "text": "Look: "},
    {"type": "image",
     "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
    {"type": "text", "text": "and here: "},
    {"type": "image", "source": {"type": "url", "url": "https://example.org/cat.jpg"}},
    {"type": "text", "text": "done"},
    {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": "R0lGODlh"}},
    {"type": "text", "text": "no pictures"}]}])");
  auto c = make_codec(anthropic());
  auto chat = c->chat(req, false);
  CAF_REQUIRE(chat.has_value());
  CAF_CHECK_EQUAL(test::member(chat->body, "messages"), expected);
  auto count = c->count_tokens(req);
  CAF_REQUIRE(count.has_value());
  CAF_CHECK_EQUAL(test::member(count->body, "messages"), expected);
}

CAF_TEST(a tool result with images has a content list of text and image blocks) {
  auto req = test::request_of("claude-haiku-4-5", test::tool_round_with_images());
  auto out = make_codec(anthropic())->chat(req, false);
  CAF_REQUIRE(out.has_value());
  auto calls =
      test::three_calls(R"({"type": "tool_use", "id": "call_#", "name": "shoot", "input": {}})");
  CAF_CHECK_EQUAL(test::member(out->body, "messages"), test::compact(R"([
    {"role": "user", "content": [{"type": "text", "text": "take pictures"}]},
    {"role": "assistant", "content": [)" + calls + R"(]},
    {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "call_1", "content": [
        {"type": "text", "text": "front"},
        {"type": "image",
         "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]},
      {"type": "tool_result", "tool_use_id": "call_2", "content": "none"},
      {"type": "tool_result", "tool_use_id": "call_3", "content": [
        {"type": "image", "source": {"type": "url", "url": "https://example.org/cat.jpg"}},
        {"type": "text", "text": "back"},
        {"type": "image",
         "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}}]},
      {"type": "text", "text": "compare them"}]}])"));
}
