#define CAF_SUITE libet.gateway.responses
#include "caf/test/unit_test.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "et/gateway/renderer.hpp"
#include "et/gateway/request.hpp"
#include "et/gateway/responses.hpp"
#include "refusals.hpp"
#include "render_support.hpp"

// The Responses API as Codex speaks it: a conversation of input items decoded into et's
// request, and answers rendered as a response object or its typed event stream. Bodies are
// written from OpenAI's API reference.

using namespace et;
using namespace et::gateway;
using et::gateway::test::answer_with_call;
using et::gateway::test::code;
using et::gateway::test::named_events;
using et::gateway::test::refused;
namespace json = boost::json;

namespace {

// A Codex turn: instructions, the user's ask, the model's call, its output, its reasoning.
const char* codex_turn = R"({"model":"coder","instructions":"You are a coding agent.",
  "input":[
    {"type":"message","role":"developer","content":[{"type":"input_text","text":"sandbox: on"}]},
    {"role":"user","content":[{"type":"input_text","text":"list "},{"type":"input_text","text":"files"}]},
    {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAA"},
    {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Looking.","annotations":[]}]},
    {"type":"function_call","id":"fc_1","call_id":"call_1","name":"shell","arguments":"{\"cmd\":[\"ls\"]}"},
    {"type":"function_call","call_id":"call_2","name":"shell","arguments":"{\"cmd\":[\"pwd\"]}"},
    {"type":"function_call_output","call_id":"call_1","output":"a.txt"},
    {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"/w"}]}],
  "tools":[{"type":"function","name":"shell","description":"run","strict":false,
            "parameters":{"type":"object","properties":{"cmd":{"type":"array"}}}}],
  "tool_choice":"auto","parallel_tool_calls":true,"reasoning":{"effort":"high","summary":"auto"},
  "store":false,"stream":true,"include":["reasoning.encrypted_content"],"prompt_cache_key":"k",
  "text":{"verbosity":"low"},"max_output_tokens":900})";

} // namespace

CAF_TEST(a codex turn becomes the neutral request) {
  auto r = parse_responses_request(codex_turn);
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->model, "coder");
  CAF_CHECK(r->stream);
  const auto& m = r->request.messages;
  CAF_REQUIRE_EQUAL(m.size(), 6u);
  CAF_CHECK(m[0].who == role::system);
  CAF_CHECK_EQUAL(m[0].content, "You are a coding agent.");
  CAF_CHECK(m[1].who == role::system); // the developer message
  CAF_CHECK_EQUAL(m[2].content, "list files");
  // The assistant's text and both calls are one turn; the reasoning item is dropped.
  CAF_CHECK(m[3].who == role::assistant);
  CAF_CHECK_EQUAL(m[3].content, "Looking.");
  CAF_REQUIRE_EQUAL(m[3].tool_calls.size(), 2u);
  CAF_CHECK_EQUAL(m[3].tool_calls[1].id, "call_2");
  CAF_CHECK(m[4].who == role::tool);
  CAF_CHECK_EQUAL(m[4].tool_call_id, "call_1");
  CAF_CHECK_EQUAL(m[4].name, "shell"); // named after its call
  CAF_CHECK_EQUAL(m[5].content, "/w");
  CAF_REQUIRE_EQUAL(r->request.tools.size(), 1u);
  CAF_CHECK_EQUAL(r->request.tools[0].name, "shell");
  CAF_CHECK_EQUAL(r->request.thinking.effort, "high");
  CAF_CHECK_EQUAL(r->request.max_tokens, 900);
}

CAF_TEST(a string input is one user message and text.format shapes the answer) {
  auto r = parse_responses_request(R"({"model":"m","input":"hi","text":{"format":
      {"type":"json_schema","name":"plan","schema":{"type":"object"},"strict":true}}})");
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->request.messages.size(), 1u);
  CAF_CHECK(r->request.messages[0].who == role::user);
  CAF_CHECK(r->request.format.kind == answer_format::shape::json_schema);
  CAF_CHECK_EQUAL(r->request.format.name, "plan");
  CAF_CHECK(r->request.format.strict);
  CAF_CHECK(!r->stream);
}

CAF_TEST(what the gateway cannot honour is refused naming the field) {
  auto body = [](const std::string& extra) { return R"({"model":"m","input":"hi")" + extra + "}"; };
  CAF_CHECK_EQUAL(refused(parse_responses_request(body(R"(,"previous_response_id":"resp_1")"))),
                  "previous_response_id");
  CAF_CHECK_EQUAL(code(parse_responses_request(body(R"(,"previous_response_id":"resp_1")"))),
                  errc::unsupported);
  CAF_CHECK_EQUAL(refused(parse_responses_request(body(R"(,"tools":[{"type":"local_shell"}])"))),
                  "tools[0].type");
  CAF_CHECK_EQUAL(refused(parse_responses_request(body(R"(,"tools":[{"type":"file_search"}])"))),
                  "tools[0].type");
  CAF_CHECK_EQUAL(refused(parse_responses_request(body(R"(,"tool_choice":"required")"))),
                  "tool_choice");
  CAF_CHECK_EQUAL(refused(parse_responses_request(body(R"(,"bogus":1)"))), "bogus");
  CAF_CHECK_EQUAL(
      refused(parse_responses_request(
          R"({"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":"x"}]}]})")),
      "input[0].content[0].image_url");
  CAF_CHECK_EQUAL(
      refused(parse_responses_request(
          R"({"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"x"}]}]})")),
      "input[0].content[0].file_id"); // a stored file: this gateway stores none
  CAF_CHECK_EQUAL(refused(parse_responses_request(
                      R"({"model":"m","input":[{"type":"item_reference","id":"x"}]})")),
                  "input[0].type");
  CAF_CHECK_EQUAL(refused(parse_responses_request(R"({"model":"m","instructions":"only this"})")),
                  "input");
  CAF_CHECK_EQUAL(refused(parse_responses_request(R"({"input":"hi"})")), "model");
  CAF_CHECK_EQUAL(
      refused(parse_responses_request(
          R"({"model":"m","input":[{"type":"function_call","call_id":"c","name":"f"}]})")),
      "input[0].arguments");
  limits small;
  small.max_messages = 2; // items are finer than messages: four per message's worth
  std::string items;
  for (int i = 0; i < 9; ++i)
    items += std::string{i ? "," : ""} + R"({"role":"user","content":"x"})";
  CAF_CHECK_EQUAL(
      refused(parse_responses_request(R"({"model":"m","input":[)" + items + "]}", small)), "input");
  items = items.substr(items.find("},{") + 2); // eight
  CAF_CHECK_EQUAL(
      refused(parse_responses_request(R"({"model":"m","input":[)" + items + "]}", small)), "ok");
}

CAF_TEST(what codex adds to its tools is accepted and not offered) {
  auto r = parse_responses_request(R"({"model":"m","input":"hi","client_metadata":{"x":"y"},
      "tools":[{"type":"function","name":"exec_command","parameters":{"type":"object"}},
               {"type":"namespace","name":"multi_agent_v1","description":"sub-agents",
                "tools":[{"type":"function","name":"close_agent"}]},
               {"type":"web_search","external_web_access":false}]})");
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->request.tools.size(), 1u);
  CAF_CHECK_EQUAL(r->request.tools[0].name, "exec_command");
}

CAF_TEST(a whole answer is one message item and one function_call item per call) {
  answer_meta meta{"resp_et1", "coder", 1700000000, false};
  auto o = json::parse(responses_response(answer_with_call(), meta)).as_object();
  CAF_CHECK_EQUAL(o.at("object").as_string(), "response");
  CAF_CHECK_EQUAL(o.at("status").as_string(), "completed");
  CAF_CHECK_EQUAL(o.at("model").as_string(), "coder");
  const auto& out = o.at("output").as_array();
  CAF_REQUIRE_EQUAL(out.size(), 2u);
  CAF_CHECK_EQUAL(out[0].at("content").at(0).at("text").as_string(), "Running it.");
  CAF_CHECK_EQUAL(out[1].at("type").as_string(), "function_call");
  CAF_CHECK_EQUAL(out[1].at("call_id").as_string(), "call_9");
  CAF_CHECK_EQUAL(out[1].at("arguments").as_string(), R"({"cmd":["make"]})");
  CAF_CHECK_EQUAL(o.at("usage").at("total_tokens").as_int64(), 17);
  auto cut = answer_with_call();
  cut.finish = finish_reason::length;
  auto short_one = json::parse(responses_response(cut, meta)).as_object();
  CAF_CHECK_EQUAL(short_one.at("status").as_string(), "incomplete");
  CAF_CHECK_EQUAL(short_one.at("incomplete_details").at("reason").as_string(), "max_output_tokens");
}

CAF_TEST(a stream numbers its events in the order they go out) {
  renderer r{surface::responses, answer_meta{"resp_et2", "coder", 0, false}, false};
  // As the gateway does it: the first piece's events are made before the start is sent.
  auto first = r.piece(chunk{.text = "Run"});
  auto sse = r.start() + first;
  sse += r.piece(chunk{.text = "ning."});
  sse += r.finish(answer_with_call());
  auto evs = named_events(sse);
  std::vector<std::string> names;
  for (size_t i = 0; i < evs.size(); ++i) {
    names.push_back(evs[i].first);
    CAF_CHECK_EQUAL(evs[i].second.at("sequence_number").as_int64(), static_cast<int64_t>(i));
    CAF_CHECK_EQUAL(evs[i].second.at("type").as_string(), evs[i].first);
  }
  std::vector<std::string> expected{"response.created",
                                    "response.in_progress",
                                    "response.output_item.added",
                                    "response.content_part.added",
                                    "response.output_text.delta",
                                    "response.output_text.delta",
                                    "response.output_text.done",
                                    "response.content_part.done",
                                    "response.output_item.done",
                                    "response.output_item.added",
                                    "response.function_call_arguments.delta",
                                    "response.function_call_arguments.done",
                                    "response.output_item.done",
                                    "response.completed"};
  CAF_CHECK_EQUAL(names, expected);
  const auto& done = evs.back().second.at("response").as_object();
  CAF_CHECK_EQUAL(done.at("output").at(0).at("content").at(0).at("text").as_string(), "Running.");
  CAF_CHECK_EQUAL(done.at("output").at(1).at("name").as_string(), "shell");
}

CAF_TEST(a stream cut after its first text fails and never completes) {
  renderer r{surface::responses, answer_meta{"resp_et3", "coder", 0, false}, false};
  auto first = r.piece(chunk{.text = "par"});
  auto sse = r.start() + first;
  sse += r.fail(client_error{502, "cut after 1 piece", "", 0, "stream_interrupted"});
  auto evs = named_events(sse);
  CAF_REQUIRE_GREATER_OR_EQUAL(evs.size(), 2u);
  CAF_CHECK_EQUAL(evs[evs.size() - 2].first, "response.failed");
  CAF_CHECK_EQUAL(evs.back().first, "error");
  // The official SDKs raise on an event whose data has an `error` object.
  CAF_CHECK(evs.back().second.at("error").is_object());
  for (const auto& [name, data] : evs)
    CAF_CHECK_NOT_EQUAL(name, "response.completed");
}

CAF_TEST(a call after a user message or after an output starts an assistant turn) {
  auto r = parse_responses_request(R"({"model":"m","stream":null,"input":[
      {"role":"user","content":"go"},
      {"type":"function_call","call_id":"a","name":"f","arguments":"{}","namespace":"n","caller":{}},
      {"type":"function_call_output","call_id":"a","output":"1","caller":{}},
      {"type":"function_call","call_id":"b","name":"f","arguments":"{}"},
      {"type":"function_call_output","call_id":"b","output":"2"}],
    "tool_choice":"none","tools":[{"type":"function","name":"f","defer_loading":true}],
    "reasoning":{"effort":"none","context":"auto"}})");
  CAF_REQUIRE(r);
  const auto& m = r->request.messages;
  CAF_REQUIRE_EQUAL(m.size(), 5u);
  CAF_CHECK(m[1].who == role::assistant && m[1].tool_calls.size() == 1);
  CAF_CHECK(m[3].who == role::assistant && m[3].tool_calls.size() == 1);
  CAF_CHECK_EQUAL(m[3].tool_calls[0].id, "b");
  CAF_CHECK_EQUAL(r->request.tools.size(), 1u); // tool_choice none keeps them in view
  CAF_CHECK(r->request.tool_use.no_calls);
  CAF_CHECK(r->request.thinking.asked == thinking_request::want::off);
  CAF_CHECK(!r->stream);
}

CAF_TEST(a stream of calls only and an empty one and a cut short one are told right) {
  auto names = [](const std::string& sse) {
    std::vector<std::string> out;
    for (const auto& [name, data] : named_events(sse))
      out.push_back(name);
    return out;
  };
  // Calls only: the first call is output 0, and no message item is made.
  renderer calls{surface::responses, answer_meta{"resp_a", "m", 0, false}, false};
  auto only = answer_with_call();
  only.content.clear();
  auto sse = calls.start() + calls.finish(only);
  auto evs = named_events(sse);
  CAF_CHECK_EQUAL(evs[2].first, "response.output_item.added");
  CAF_CHECK_EQUAL(evs[2].second.at("item").at("type").as_string(), "function_call");
  CAF_CHECK_EQUAL(evs[2].second.at("output_index").as_int64(), 0);
  CAF_CHECK_EQUAL(evs.back().second.at("response").at("output").as_array().size(), 1u);
  // Empty: one empty message, completed.
  renderer empty{surface::responses, answer_meta{"resp_b", "m", 0, false}, false};
  sse = empty.start() + empty.finish(chat_response{});
  CAF_CHECK_EQUAL(names(sse).size(), 8u);
  CAF_CHECK_EQUAL(names(sse).back(), "response.completed");
  // Cut short by max_output_tokens: incomplete, its message too.
  renderer cut{surface::responses, answer_meta{"resp_c", "m", 0, false}, false};
  auto piece = cut.piece(chunk{.text = "so"});
  chat_response short_one;
  short_one.content = "so";
  short_one.finish = finish_reason::length;
  sse = cut.start() + piece + cut.finish(short_one);
  evs = named_events(sse);
  CAF_CHECK_EQUAL(evs.back().first, "response.incomplete");
  const auto& resp = evs.back().second.at("response");
  CAF_CHECK_EQUAL(resp.at("incomplete_details").at("reason").as_string(), "max_output_tokens");
  CAF_CHECK_EQUAL(resp.at("output").at(0).at("status").as_string(), "incomplete");
}

CAF_TEST(a custom tool is a function of one input and its calls go back as custom calls) {
  auto r = parse_responses_request(R"({"model":"m","input":[
      {"role":"user","content":"fix it"},
      {"type":"custom_tool_call","call_id":"c1","name":"apply_patch","input":"*** Begin Patch"},
      {"type":"custom_tool_call_output","call_id":"c1","output":"Done!"}],
    "tools":[{"type":"custom","name":"apply_patch","description":"Edit files.",
              "format":{"type":"grammar","syntax":"lark","definition":"start: begin_patch"}},
             {"type":"tool_search","execution":"client","description":"find tools"}]})");
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->request.tools.size(), 1u); // tool_search is not offered
  const auto& t = r->request.tools[0];
  CAF_CHECK_EQUAL(t.name, "apply_patch");
  CAF_CHECK(t.description.find("lark grammar:\nstart: begin_patch") != std::string::npos);
  auto schema = json::parse(t.parameters).as_object();
  CAF_CHECK_EQUAL(schema.at("required").at(0).as_string(), "input");
  CAF_CHECK_EQUAL(r->freeform_tools, std::vector<std::string>{"apply_patch"});
  const auto& m = r->request.messages;
  CAF_REQUIRE_EQUAL(m.size(), 3u);
  CAF_CHECK_EQUAL(m[1].tool_calls.at(0).arguments, R"({"input":"*** Begin Patch"})");
  CAF_CHECK(m[2].who == role::tool);
  CAF_CHECK_EQUAL(m[2].content, "Done!");
  CAF_CHECK_EQUAL(refused(parse_responses_request(
                      R"({"model":"m","input":"x","tools":[{"type":"custom","name":"p",)"
                      R"("format":{"type":"grammar","syntax":"ebnf","definition":"x"}}]})")),
                  "tools[0].format.syntax");
  // An answer's call to it is a custom_tool_call with the one input, whole and streamed.
  answer_meta meta{"resp_p", "m", 0, false, {"apply_patch"}};
  chat_response answer;
  answer.tool_calls = {tool_call{"call_7", "apply_patch", R"({"input":"*** Begin Patch\n"})"}};
  auto whole = json::parse(responses_response(answer, meta)).as_object();
  const auto& item = whole.at("output").at(0);
  CAF_CHECK_EQUAL(item.at("type").as_string(), "custom_tool_call");
  CAF_CHECK_EQUAL(item.at("input").as_string(), "*** Begin Patch\n");
  CAF_CHECK_EQUAL(item.at("call_id").as_string(), "call_7");
  renderer streamed{surface::responses, meta, false};
  auto sse = streamed.start() + streamed.finish(answer);
  auto evs = named_events(sse);
  std::vector<std::string> names;
  for (const auto& [name, data] : evs)
    names.push_back(name);
  std::vector<std::string> expected{"response.created",
                                    "response.in_progress",
                                    "response.output_item.added",
                                    "response.custom_tool_call_input.delta",
                                    "response.custom_tool_call_input.done",
                                    "response.output_item.done",
                                    "response.completed"};
  CAF_CHECK_EQUAL(names, expected);
  CAF_CHECK_EQUAL(evs[2].second.at("item").at("type").as_string(), "custom_tool_call");
  auto item_id = std::string{evs[2].second.at("item").at("id").as_string()};
  CAF_CHECK_EQUAL(item_id, "ctc_resp_p_0");
  CAF_CHECK_EQUAL(evs[3].second.at("item_id").as_string(), item_id);
  CAF_CHECK_EQUAL(evs[3].second.at("delta").as_string(), "*** Begin Patch\n");
  CAF_CHECK_EQUAL(evs[4].second.at("input").as_string(), "*** Begin Patch\n");
  // A repeated name is refused: upstreams do, and custom calls are told apart by it.
  CAF_CHECK_EQUAL(refused(parse_responses_request(
                      R"({"model":"m","input":"x","tools":[{"type":"custom","name":"p"},)"
                      R"({"type":"function","name":"p"}]})")),
                  "tools[1].name");
}

CAF_TEST(each surface has its ids and its error protocol) {
  CAF_CHECK_EQUAL(answer_id(surface::responses, 7), "resp_et7");
  CAF_CHECK_EQUAL(answer_id(surface::messages, 7), "msg_et7");
  CAF_CHECK_EQUAL(answer_id(surface::chat_completions, 7), "chatcmpl-et7");
  CAF_CHECK(protocol_of(surface::responses) == protocol::openai);
  CAF_CHECK(protocol_of(surface::messages) == protocol::anthropic);
}
