#define CAF_SUITE libet.gateway.request
#include "caf/test/unit_test.hpp"

#include <string>

#include "et/gateway/request.hpp"
#include "refusals.hpp"

using namespace et;
using namespace et::gateway;
using et::gateway::test::code;
using et::gateway::test::refused;

CAF_TEST(an OpenAI request becomes the neutral request) {
  auto r = parse_openai_request(R"({"model":"small","messages":[
      {"role":"system","content":"be brief"},
      {"role":"user","content":[{"type":"text","text":"hel"},{"type":"text","text":"lo"}]},
      {"role":"assistant","content":null},
      {"role":"developer","content":"x"}],
    "max_completion_tokens":50,"temperature":0.5,"top_p":0.9,"stop":"END","stream":true,
    "stream_options":{"include_usage":true},"user":"u1","n":1})");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->model, "small");
  CAF_CHECK(r->stream);
  CAF_CHECK(r->include_usage);
  CAF_REQUIRE_EQUAL(r->request.messages.size(), 4u);
  CAF_CHECK(r->request.messages[0].who == role::system);
  CAF_CHECK_EQUAL(r->request.messages[1].content, "hello");
  CAF_CHECK(r->request.messages[2].who == role::assistant);
  CAF_CHECK(r->request.messages[3].who == role::system);
  CAF_CHECK_EQUAL(r->request.max_tokens, 50);
  CAF_CHECK_EQUAL(r->request.temperature, 0.5);
  CAF_CHECK_EQUAL(r->request.top_p, 0.9);
  CAF_REQUIRE_EQUAL(r->request.stop.size(), 1u);
  CAF_CHECK_EQUAL(r->request.stop[0], "END");
}

CAF_TEST(OpenAI refusals name the field) {
  auto p = [](const std::string& body) { return parse_openai_request(body); };
  CAF_CHECK_EQUAL(refused(p(R"({"messages":[{"role":"user","content":"x"}]})")), "model");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"","messages":[{"role":"user","content":"x"}]})")),
                  "model");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m"})")), "messages");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","messages":[]})")), "messages");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","messages":[{"role":"user"}]})")),
                  "messages[0].content");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","messages":[{"role":"robot","content":"x"}]})")),
                  "messages[0].role");
  CAF_CHECK_EQUAL(
      refused(p(R"({"model":"m","messages":[{"role":"user","content":"x","colour":1}]})")),
      "messages[0].colour");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","messages":[{"role":"user","content":"x"}],"x":1})")),
                  "x");
  CAF_CHECK_EQUAL(
      refused(p(R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3})")),
      "temperature");
  CAF_CHECK_EQUAL(
      refused(p(R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0})")),
      "max_tokens");
  CAF_CHECK_EQUAL(
      refused(p(R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5})")),
      "max_tokens");
  CAF_CHECK_EQUAL(
      refused(p(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"})")),
      "stream");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","messages":[{"role":"user","content":"x"}],
                  "stream_options":{"include_usage":true,"extra":1}})")),
                  "stream_options.extra");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","messages":[{"role":"user",
                  "content":[{"type":"image_url","image_url":{"url":"x"}}]}]})")),
                  "messages[0].content[0].image_url.url");
  // A key can hold any bytes: the field named stays on one line and keeps its backquotes.
  auto forged =
      p("{\"model\":\"m\",\"x\\n`y\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
  CAF_CHECK_EQUAL(refused(forged), "x\\x0a\\x60y");
  CAF_CHECK(forged.error().message.find('\n') == std::string::npos);
  CAF_CHECK(code(p("[1,2]")) == errc::invalid_input);
  CAF_CHECK(code(p("{not json")) == errc::invalid_input);
}

CAF_TEST(OpenAI response_format is read for the upstream and checked field by field) {
  auto p = [](const std::string& format) {
    return parse_openai_request(R"({"model":"m","messages":[{"role":"user","content":"x"}],)"
                                R"("response_format":)"
                                + format + "}");
  };
  auto object = p(R"({"type":"json_object"})");
  CAF_REQUIRE(object);
  CAF_CHECK(object->request.format.kind == answer_format::shape::json_object);
  auto shaped = p(R"({"type":"json_schema","json_schema":{"name":"place","strict":true,)"
                  R"("description":"d","schema":{"type":"object","required":["city"]}}})");
  CAF_REQUIRE(shaped);
  const auto& f = shaped->request.format;
  CAF_CHECK(f.kind == answer_format::shape::json_schema);
  CAF_CHECK_EQUAL(f.name, "place");
  CAF_CHECK(f.strict);
  CAF_CHECK_EQUAL(f.schema, R"({"type":"object","required":["city"]})");
  CAF_CHECK(p(R"({"type":"text"})")->request.format.kind == answer_format::shape::text);
  CAF_CHECK(p("null")->request.format.kind == answer_format::shape::text);
  CAF_CHECK_EQUAL(refused(p(R"("json")")), "response_format");
  CAF_CHECK_EQUAL(refused(p(R"({})")), "response_format.type");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"yaml"})")), "response_format.type");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"json_object","extra":1})")), "response_format.extra");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"json_schema"})")), "response_format.json_schema");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"json_schema","json_schema":{"schema":{}}})")),
                  "response_format.json_schema.name");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"json_schema","json_schema":{"name":"a b"}})")),
                  "response_format.json_schema.name");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"json_schema","json_schema":{"name":")"
                            + std::string(65, 'n') + R"("}})")),
                  "response_format.json_schema.name");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"json_schema","json_schema":{"name":"a","schema":[]}})")),
                  "response_format.json_schema.schema");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"json_schema","json_schema":{"name":"a","strict":1}})")),
                  "response_format.json_schema.strict");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"json_schema","json_schema":{"name":"a","x":1}})")),
                  "response_format.json_schema.x");
  // A schema is bounded like a tool's: at most max_string_bytes.
  limits small;
  small.max_string_bytes = 64;
  auto big = parse_openai_request(
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":)"
      R"({"type":"json_schema","json_schema":{"name":"a","schema":{"description":")"
          + std::string(80, 'd') + R"("}}}})",
      small);
  CAF_CHECK_EQUAL(refused(big), "response_format.json_schema.schema");
  auto big_ant = parse_anthropic_request(
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],)"
      R"("output_config":{"format":{"type":"json_schema","schema":{"description":")"
          + std::string(80, 'd') + R"("}}}})",
      small);
  CAF_CHECK_EQUAL(refused(big_ant), "output_config.format.schema");
}

CAF_TEST(OpenAI features the gateway cannot honour are unsupported not ignored) {
  auto p = [](const std::string& extra) {
    return parse_openai_request(R"({"model":"m","messages":[{"role":"user","content":"x"}],)"
                                + extra + "}");
  };
  auto allowed = p(R"("tools":[{"type":"function","function":{"name":"f"}}],)"
                   R"("tool_choice":{"type":"allowed_tools","allowed_tools":{}})");
  CAF_CHECK(code(allowed) == errc::unsupported);
  CAF_CHECK_EQUAL(refused(allowed), "tool_choice.type");
  CAF_CHECK_EQUAL(refused(p(R"("tool_choice":{"type":"function","function":{"name":"f"}})")),
                  "tool_choice"); // no such tool on offer
  auto audio = p(R"("modalities":["audio"])");
  CAF_CHECK_EQUAL(refused(audio), "modalities");
  CAF_CHECK_EQUAL(refused(p(R"("tools":[{"type":"code_interpreter"}])")), "tools[0].type");
  CAF_CHECK_EQUAL(refused(p(R"("tools":[{"type":"function","function":{"description":"d"}}])")),
                  "tools[0].function.name");
  CAF_CHECK_EQUAL(
      refused(p(R"("tools":[{"type":"function","function":{"name":"f","parameters":"x"}}])")),
      "tools[0].function.parameters");
  CAF_CHECK_EQUAL(refused(p(R"("seed":7)")), "seed");
  CAF_CHECK_EQUAL(refused(p(R"("n":2)")), "n");
  auto legacy =
      parse_openai_request(R"({"model":"m","messages":[{"role":"function","content":"x"}]})");
  CAF_CHECK(code(legacy) == errc::unsupported);
  CAF_CHECK_EQUAL(refused(legacy), "messages[0].role");
  CAF_CHECK_EQUAL(
      refused(parse_openai_request(R"({"model":"m","messages":[{"role":"tool","content":"x"}]})")),
      "messages[0].tool_call_id");
}

CAF_TEST(OpenAI tools calls and results become et tools and turns) {
  auto r = parse_openai_request(R"({"model":"m","tool_choice":"auto","parallel_tool_calls":true,
    "tools":[{"type":"function","function":{"name":"get_weather","description":"weather",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
    "messages":[{"role":"user","content":"weather in Oslo?"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
        "function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"}]})");
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->request.tools.size(), 1u);
  CAF_CHECK_EQUAL(r->request.tools[0].name, "get_weather");
  CAF_CHECK_EQUAL(r->request.tools[0].description, "weather");
  CAF_CHECK(r->request.tools[0].parameters.find("\"city\"") != std::string::npos);
  CAF_REQUIRE_EQUAL(r->request.messages.size(), 3u);
  const auto& call = r->request.messages[1];
  CAF_CHECK(call.who == role::assistant);
  CAF_REQUIRE_EQUAL(call.tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(call.tool_calls[0].id, "call_1");
  CAF_CHECK_EQUAL(call.tool_calls[0].arguments, R"({"city":"Oslo"})");
  const auto& result = r->request.messages[2];
  CAF_CHECK(result.who == role::tool);
  CAF_CHECK_EQUAL(result.tool_call_id, "call_1");
  CAF_CHECK_EQUAL(result.name, "get_weather"); // named after the call it answers
  CAF_CHECK_EQUAL(result.content, "sunny");
  auto none = parse_openai_request(R"({"model":"m","tool_choice":"none",
    "tools":[{"type":"function","function":{"name":"f"}}],
    "messages":[{"role":"user","content":"x"}]})");
  CAF_REQUIRE(none);
  // none: the tools stay in view, and the model may call none of them
  CAF_CHECK_EQUAL(none->request.tools.size(), 1u);
  CAF_CHECK(none->request.tool_use.no_calls);
}

CAF_TEST(an Anthropic request becomes the neutral request with its system first) {
  auto r = parse_anthropic_request(R"({"model":"claude","max_tokens":100,
      "system":[{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}}],
      "messages":[{"role":"user","content":"hi"},
                  {"role":"assistant","content":[{"type":"text","text":"hello"}]}],
      "stop_sequences":["STOP"],"temperature":0.2,"stream":true,"metadata":{"user_id":"u"}})");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->model, "claude");
  CAF_CHECK(r->stream);
  CAF_REQUIRE_EQUAL(r->request.messages.size(), 3u);
  CAF_CHECK(r->request.messages[0].who == role::system);
  CAF_CHECK_EQUAL(r->request.messages[0].content, "be brief");
  CAF_CHECK_EQUAL(r->request.messages[2].content, "hello");
  CAF_CHECK_EQUAL(r->request.max_tokens, 100);
  CAF_REQUIRE_EQUAL(r->request.stop.size(), 1u);
  CAF_CHECK_EQUAL(r->request.stop[0], "STOP");
}

CAF_TEST(Anthropic refusals name the field) {
  auto p = [](const std::string& body) { return parse_anthropic_request(body); };
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","messages":[{"role":"user","content":"x"}]})")),
                  "max_tokens");
  CAF_CHECK_EQUAL(
      refused(p(R"({"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]})")),
      "messages[0].role");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant",
                  "content":[{"type":"tool_result","tool_use_id":"t","content":"r"}]}]})")),
                  "messages[0].content[0].type");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","max_tokens":5,"messages":[{"role":"user",
                  "content":[{"type":"image","source":{}}]}]})")),
                  "messages[0].content[0].source.type");
  auto document = p(R"({"model":"m","max_tokens":5,"messages":[{"role":"user",
                  "content":[{"type":"document","source":{"type":"file","file_id":"f"}}]}]})");
  CAF_CHECK(code(document) == errc::unsupported); // a stored file: this gateway stores none
  CAF_CHECK_EQUAL(refused(document), "messages[0].content[0].source.type");
  CAF_CHECK_EQUAL(
      refused(p(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],
                  "tools":[{"type":"web_search_20250305","name":"web_search"}]})")),
      "tools[0].type");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","max_tokens":5,"mcp_servers":[],
                  "messages":[{"role":"user","content":"x"}]})")),
                  "mcp_servers");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","max_tokens":5,"top_k":3,
                  "messages":[{"role":"user","content":"x"}]})")),
                  "top_k");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","max_tokens":5,"stop_sequences":"S",
                  "messages":[{"role":"user","content":"x"}]})")),
                  "stop_sequences");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","max_tokens":5,"temperature":1.5,
                  "messages":[{"role":"user","content":"x"}]})")),
                  "temperature");
  CAF_CHECK_EQUAL(refused(p(R"({"model":"m","max_tokens":5,"bogus":true,
                  "messages":[{"role":"user","content":"x"}]})")),
                  "bogus");
}

CAF_TEST(Anthropic output_config format asks for a schema shaped answer) {
  auto p = [](const std::string& config) {
    return parse_anthropic_request(R"({"model":"m","max_tokens":5,)"
                                   R"("messages":[{"role":"user","content":"x"}],"output_config":)"
                                   + config + "}");
  };
  auto shaped = p(R"({"format":{"type":"json_schema","schema":{"type":"object"}}})");
  CAF_REQUIRE(shaped);
  CAF_CHECK(shaped->request.format.kind == answer_format::shape::json_schema);
  CAF_CHECK_EQUAL(shaped->request.format.schema, R"({"type":"object"})");
  CAF_CHECK_EQUAL(refused(p("[]")), "output_config");
  CAF_CHECK_EQUAL(refused(p(R"({"effort":"low"})")), "ok"); // a hint, not passed on
  CAF_CHECK_EQUAL(refused(p(R"({"effort":"extreme"})")), "output_config.effort");
  CAF_CHECK_EQUAL(refused(p(R"({"effort":3})")), "output_config.effort");
  CAF_CHECK_EQUAL(refused(p(R"({"verbosity":"low"})")), "output_config.verbosity");
  CAF_CHECK_EQUAL(refused(p(R"({"format":{"schema":{}}})")), "output_config.format.type");
  CAF_CHECK_EQUAL(refused(p(R"({"format":{"type":"json_object","schema":{}}})")),
                  "output_config.format.type");
  CAF_CHECK_EQUAL(refused(p(R"({"format":{"type":"json_schema"}})")),
                  "output_config.format.schema");
  CAF_CHECK_EQUAL(refused(p(R"({"format":{"type":"json_schema","schema":"s"}})")),
                  "output_config.format.schema");
}

CAF_TEST(two tools of one name are refused in every protocol naming the second) {
  auto oai = parse_openai_request(R"({"model":"m","messages":[{"role":"user","content":"x"}],
    "tools":[{"type":"function","function":{"name":"a"}},
             {"type":"function","function":{"name":"a"}}]})");
  CAF_CHECK_EQUAL(refused(oai), "tools[1].function.name");
  auto ant = parse_anthropic_request(R"({"model":"m","max_tokens":5,
    "messages":[{"role":"user","content":"x"}],
    "tools":[{"name":"a","input_schema":{"type":"object"}},
             {"name":"a","input_schema":{"type":"object"}}]})");
  CAF_CHECK_EQUAL(refused(ant), "tools[1].name");
}

CAF_TEST(Anthropic tool use and results become et tools and turns) {
  auto r = parse_anthropic_request(R"({"model":"m","max_tokens":50,"tool_choice":{"type":"auto"},
    "tools":[{"name":"get_weather","description":"weather","input_schema":{"type":"object"}}],
    "messages":[{"role":"user","content":"weather in Oslo?"},
      {"role":"assistant","content":[{"type":"text","text":"Let me look."},
        {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}}]},
      {"role":"user","content":[
        {"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny"}]},
        {"type":"tool_result","tool_use_id":"toolu_2","content":"no such call","is_error":true},
        {"type":"text","text":"thanks"}]}]})");
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->request.tools.size(), 1u);
  CAF_CHECK_EQUAL(r->request.tools[0].parameters, R"({"type":"object"})");
  CAF_REQUIRE_EQUAL(r->request.messages.size(), 5u);
  const auto& call = r->request.messages[1];
  CAF_CHECK_EQUAL(call.content, "Let me look.");
  CAF_REQUIRE_EQUAL(call.tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(call.tool_calls[0].arguments, R"({"city":"Oslo"})");
  CAF_CHECK(r->request.messages[2].who == role::tool);
  CAF_CHECK_EQUAL(r->request.messages[2].content, "sunny");
  CAF_CHECK_EQUAL(r->request.messages[2].name, "get_weather");
  CAF_CHECK_EQUAL(r->request.messages[3].content, "Error: no such call");
  CAF_CHECK(r->request.messages[4].who == role::user);
  CAF_CHECK_EQUAL(r->request.messages[4].content, "thanks");
  auto none = parse_anthropic_request(R"({"model":"m","max_tokens":5,"tool_choice":{"type":"none"},
    "tools":[{"name":"f","input_schema":{}}],"messages":[{"role":"user","content":"x"}]})");
  CAF_REQUIRE(none);
  CAF_CHECK_EQUAL(none->request.tools.size(), 1u);
  CAF_CHECK(none->request.tool_use.no_calls);
}

CAF_TEST(a failed tool result is marked and the mark counts toward the bound) {
  auto result = [](const std::string& is_error, const std::string& text, const limits& bounds) {
    return parse_anthropic_request(
        R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result",)"
        R"("tool_use_id":"t")"
            + is_error + R"(,"content":")" + text + R"("}]}]})",
        bounds);
  };
  limits small;
  small.max_string_bytes = 10;
  auto marked = result(R"(,"is_error":true)", "abc", small);
  CAF_REQUIRE(marked);
  CAF_CHECK_EQUAL(marked->request.messages[0].content, "Error: abc");
  // The mark's 7 bytes and 4 more are past the bound of 10; without the mark they are not.
  CAF_CHECK_EQUAL(refused(result(R"(,"is_error":true)", "abcd", small)),
                  "messages[0].content[0].content");
  CAF_CHECK_EQUAL(refused(result("", "abcd", small)), "ok");
  for (std::string flag : {R"(,"is_error":null)", R"(,"is_error":false)", ""}) {
    auto plain = result(flag, "abc", small);
    CAF_REQUIRE(plain);
    CAF_CHECK_EQUAL(plain->request.messages[0].content, "abc");
  }
  CAF_CHECK_EQUAL(refused(result(R"(,"is_error":"yes")", "abc", small)),
                  "messages[0].content[0].is_error");
  // A bound smaller than the mark itself still holds.
  limits tiny;
  tiny.max_string_bytes = 5;
  CAF_CHECK_EQUAL(refused(result(R"(,"is_error":true)", "", tiny)), "messages[0].content[0]");
}
