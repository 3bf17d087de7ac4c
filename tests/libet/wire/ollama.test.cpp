#define CAF_SUITE libet.wire.ollama
#include "caf/test/unit_test.hpp"

#include "image_test_support.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using et::wire::test::header;
using et::wire::test::name;
namespace json = boost::json;

namespace {

config::provider local() {
  return test::make_provider(config::provider_type::ollama, "");
}

chat_request tool_conversation() {
  chat_request req;
  req.model = "llama3.2";
  req.messages = {
      {role::system, "be brief", {}, {}, {}},
      {role::user, "weather in Tokyo?", {}, {}, {}},
      {role::assistant, "", {{"call_0", "get_weather", R"({"city":"Tokyo"})"}}, {}, {}},
      {role::tool, "22C", {}, "call_0", "get_weather"},
  };
  req.tools = {{"get_weather", "current weather",
                R"({"type":"object","properties":{"city":{"type":"string"}}})"}};
  req.temperature = 0.2;
  req.top_p = 0.9;
  req.max_tokens = 256;
  req.stop = {"<end>"};
  req.num_ctx = 8192;
  req.keep_alive = "10m";
  return req;
}

// Thinking, text, a tool call and the final counts, one object per line.
constexpr std::string_view thinking_tool_stream =
    "{\"model\":\"qwen3\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"Hmm."
    "\"},\"done\":false}\n"
    "{\"model\":\"qwen3\",\"message\":{\"role\":\"assistant\",\"content\":\"Let me "
    "\"},\"done\":false}\r\n"
    "\n"
    "{\"model\":\"qwen3\",\"message\":{\"role\":\"assistant\",\"content\":\"check.\"},\"done\":"
    "false}\n"
    "{\"model\":\"qwen3\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{"
    "\"function\":"
    "{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\",\"days\":2}}}]},\"done\":false}\n"
    "{\"model\":\"qwen3\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":"
    "\"stop\","
    "\"done\":true,\"prompt_eval_count\":169,\"eval_count\":15}\n";

} // namespace

CAF_TEST(the chat body has options keep_alive and object tool arguments) {
  auto req = make_codec(local())->chat(tool_conversation(), false);
  CAF_REQUIRE(req.has_value());
  CAF_CHECK_EQUAL(req->target, "/api/chat");
  auto body = json::parse(req->body).as_object();
  CAF_CHECK_EQUAL(body.at("stream").as_bool(), false);
  CAF_CHECK_EQUAL(body.at("keep_alive").as_string(), "10m");
  const auto& options = body.at("options").as_object();
  CAF_CHECK_EQUAL(options.at("temperature").as_double(), 0.2);
  CAF_CHECK_EQUAL(options.at("top_p").as_double(), 0.9);
  CAF_CHECK_EQUAL(options.at("num_predict").as_int64(), 256);
  CAF_CHECK_EQUAL(options.at("num_ctx").as_int64(), 8192);
  CAF_CHECK_EQUAL(options.at("stop").as_array().at(0).as_string(), "<end>");
  const auto& msgs = body.at("messages").as_array();
  CAF_REQUIRE_EQUAL(msgs.size(), 4u);
  CAF_CHECK_EQUAL(msgs[0].at("role").as_string(), "system");
  const auto& args = msgs[2].at("tool_calls").as_array().at(0).at("function").at("arguments");
  CAF_REQUIRE(args.is_object());
  CAF_CHECK_EQUAL(args.at("city").as_string(), "Tokyo");
  CAF_CHECK_EQUAL(msgs[3].at("role").as_string(), "tool");
  CAF_CHECK_EQUAL(msgs[3].at("tool_name").as_string(), "get_weather");
  CAF_CHECK_EQUAL(body.at("tools").as_array().at(0).at("function").at("name").as_string(),
                  "get_weather");
}

CAF_TEST(a numeric keep_alive is sent as a number and streaming is explicit) {
  auto req = tool_conversation();
  req.keep_alive = "-1";
  auto out = make_codec(local())->chat(req, true);
  auto body = json::parse(out->body).as_object();
  CAF_CHECK_EQUAL(body.at("keep_alive").as_int64(), -1);
  CAF_CHECK_EQUAL(body.at("stream").as_bool(), true);
  CAF_CHECK_EQUAL(header(*out, "Accept"), "application/x-ndjson");
}

CAF_TEST(auth is none bearer or basic) {
  auto none = make_codec(local())->chat(tool_conversation(), false);
  CAF_CHECK_EQUAL(header(*none, "Authorization"), "<none>");
  auto cloud = test::make_provider(config::provider_type::ollama, "ollama-key-123");
  cloud.base_url = "https://ollama.com";
  CAF_CHECK_EQUAL(header(*make_codec(cloud)->chat(tool_conversation(), false), "Authorization"),
                  "Bearer ollama-key-123");
  auto proxied = test::make_provider(config::provider_type::ollama, "bob:pa55word");
  proxied.auth = config::auth_type::basic;
  proxied.base_url = "https://gpu.example.com/ollama/";
  auto req = make_codec(proxied)->chat(tool_conversation(), false);
  CAF_CHECK_EQUAL(req->target, "/ollama/api/chat");
  CAF_CHECK_EQUAL(header(*req, "Authorization"), "Basic Ym9iOnBhNTV3b3Jk");
}

CAF_TEST(thinking text tool calls and counts are assembled from ndjson) {
  auto c = make_codec(local());
  auto out = test::run_stream(*c, thinking_tool_stream);
  CAF_REQUIRE(!out.error);
  const auto& r = out.response;
  CAF_CHECK_EQUAL(r.model, "qwen3");
  CAF_CHECK_EQUAL(r.reasoning, "Hmm.");
  CAF_CHECK_EQUAL(out.reasoning, "Hmm.");
  CAF_CHECK_EQUAL(r.content, "Let me check.");
  CAF_CHECK_EQUAL(out.text, "Let me check.");
  CAF_REQUIRE_EQUAL(r.tool_calls.size(), 1u);
  CAF_CHECK(r.tool_calls[0]
            == (tool_call{"call_0", "get_weather", R"({"city":"Tokyo","days":2})"}));
  CAF_CHECK_EQUAL(to_string(r.finish), "tool_calls");
  CAF_CHECK(r.tokens == (usage{169, 15, 0, 0, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, thinking_tool_stream), 0u);
  CAF_CHECK_EQUAL(
      test::cuts_not_interrupted(*c, thinking_tool_stream, thinking_tool_stream.size() - 1), 0u);
}

CAF_TEST(an error line mid stream is a typed failure) {
  std::string stream = "{\"model\":\"m\",\"message\":{\"content\":\"Par\"},\"done\":false}\n"
                       "{\"error\":\"model 'x' not found\"}\n";
  auto c = make_codec(local());
  auto out = test::run_stream(*c, stream);
  CAF_REQUIRE(out.error.has_value());
  CAF_CHECK_EQUAL(name(out.error->code), "not_found");
  CAF_CHECK_EQUAL(out.text, "Par");
  CAF_CHECK_EQUAL(test::split_mismatches(*c, stream), 0u);
}

CAF_TEST(a final line without its newline still completes the stream) {
  std::string stream =
      "{\"message\":{\"content\":\"ok\"},\"done\":false}\n"
      "{\"message\":{\"content\":\"\"},\"done\":true,\"done_reason\":\"length\",\"eval_count\":1}";
  auto out = test::run_stream(*make_codec(local()), stream);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(to_string(out.response.finish), "length");
}

CAF_TEST(model listing reads the tags) {
  auto c = make_codec(local());
  auto req = c->list_models("");
  CAF_CHECK_EQUAL(req.method, "GET");
  CAF_CHECK_EQUAL(req.target, "/api/tags");
  auto page = c->decode_models(
      R"({"models":[{"name":"qwen3:8b","model":"qwen3:8b"},{"model":"phi4:latest"}]})");
  CAF_REQUIRE(page.has_value());
  CAF_REQUIRE_EQUAL(page->models.size(), 2u);
  CAF_CHECK_EQUAL(page->models[0].id, "qwen3:8b");
  CAF_CHECK_EQUAL(page->models[1].id, "phi4:latest");
  CAF_CHECK(page->next_page.empty());
}

// -- recorded (provider documentation examples) -----------------------------

CAF_TEST(a documented chat response decodes) {
  ET_FIXTURE(body, "ollama/chat_response.json");
  auto r = make_codec(local())->decode_chat(body);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->content, "Hello! How are you today?");
  CAF_CHECK_EQUAL(to_string(r->finish), "stop");
  CAF_CHECK(r->tokens == (usage{26, 298, 0, 0, 0}));
}

CAF_TEST(a documented tool call response has object arguments as json text) {
  ET_FIXTURE(body, "ollama/chat_response_tool_calls.json");
  auto r = make_codec(local())->decode_chat(body);
  CAF_REQUIRE(r.has_value());
  CAF_REQUIRE_EQUAL(r->tool_calls.size(), 1u);
  CAF_CHECK(r->tool_calls[0] == (tool_call{"call_0", "get_weather", R"({"city":"Tokyo"})"}));
  CAF_CHECK_EQUAL(to_string(r->finish), "tool_calls");
  CAF_CHECK(r->tokens == (usage{169, 18, 0, 0, 0}));
}

CAF_TEST(documented streams decode in every split) {
  struct expect {
    const char* file;
    const char* text;
    size_t calls;
    int64_t prompt, completion;
  };
  if (test::fixtures_dir().empty()) {
    CAF_MESSAGE("skipped: no fixtures");
    return;
  }
  for (const expect& e :
       {expect{"ollama/chat_stream.ndjson", "The", 0, 26, 282},
        expect{"ollama/chat_stream_tool_calls.ndjson", "", 1, 169, 15},
        expect{"ollama/generate_stream.ndjson", "That's a fantastic question!", 0, 0, 0}}) {
    auto bytes = *test::read_fixture(e.file);
    auto c = make_codec(local());
    auto out = test::run_stream(*c, bytes);
    CAF_MESSAGE(e.file);
    CAF_REQUIRE(!out.error);
    CAF_CHECK_EQUAL(out.response.content, e.text);
    CAF_CHECK_EQUAL(out.text, e.text);
    CAF_CHECK_EQUAL(out.response.tool_calls.size(), e.calls);
    CAF_CHECK_EQUAL(out.response.tokens.prompt_tokens, e.prompt);
    CAF_CHECK_EQUAL(out.response.tokens.completion_tokens, e.completion);
    CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
    CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, bytes, bytes.rfind('}') + 1), 0u);
  }
}

CAF_TEST(a documented mid stream error line fails the stream) {
  ET_FIXTURE(bytes, "ollama/stream_mid_error.ndjson");
  auto c = make_codec(local());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(out.error.has_value());
  CAF_CHECK_EQUAL(name(out.error->code), "server_error");
  CAF_CHECK_EQUAL(out.error->message, "an error was encountered while running the model");
  CAF_CHECK_EQUAL(out.text, " Yes.Ican");
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
}

CAF_TEST(the documented tags list decodes) {
  ET_FIXTURE(body, "ollama/tags.json");
  auto page = make_codec(local())->decode_models(body);
  CAF_REQUIRE(page.has_value());
  CAF_REQUIRE_EQUAL(page->models.size(), 2u);
  CAF_CHECK_EQUAL(page->models[0].id, "deepseek-r1:latest");
  CAF_CHECK_EQUAL(page->models[1].id, "llama3.2:latest");
}

// -- images -----------------------------------------------------------------

CAF_TEST(images are sent as base64 beside the text of user and tool turns) {
  auto req =
      test::request_of("llava", {test::user_with_bytes_only(), test::user_says("no pictures")});
  auto out = make_codec(local())->chat(req, false);
  CAF_REQUIRE(out.has_value());
  CAF_CHECK_EQUAL(test::member(out->body, "messages"), test::compact(R"([
    {"role": "user", "content": "Look: and here: done", "images": ["iVBORw0KGgo=", "/9j/4AAQ"]},
    {"role": "user", "content": "no pictures"}])"));
  req.messages = test::tool_round_with_images(false);
  out = make_codec(local())->chat(req, false);
  CAF_REQUIRE(out.has_value());
  auto calls = test::three_calls(R"({"function": {"name": "shoot", "arguments": {}}})");
  CAF_CHECK_EQUAL(test::member(out->body, "messages"), test::compact(R"([
    {"role": "user", "content": "take pictures"},
    {"role": "assistant", "content": "", "tool_calls": [)" + calls + R"(]},
    {"role": "tool", "content": "front", "tool_name": "shoot", "images": ["iVBORw0KGgo="]},
    {"role": "tool", "content": "none", "tool_name": "shoot"},
    {"role": "tool", "content": "back", "tool_name": "shoot", "images": ["R0lGODlh", "/9j/4AAQ"]},
    {"role": "user", "content": "compare them"}])"));
}

CAF_TEST(image links are unsupported) {
  auto req = test::request_of("llava", {test::user_with_images()});
  for (bool stream : {false, true}) {
    auto out = make_codec(local())->chat(req, stream);
    CAF_REQUIRE(!out.has_value());
    CAF_CHECK_EQUAL(name(out.error().code), "unsupported");
    CAF_CHECK_EQUAL(
        out.error().message,
        "ollama: links to images and documents are not supported: send their bytes (base64)");
  }
}
