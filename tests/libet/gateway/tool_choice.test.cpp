#define CAF_SUITE libet.gateway.tool_choice
#include "caf/test/unit_test.hpp"

#include <string>

#include "et/gateway/request.hpp"
#include "et/gateway/response.hpp"
#include "refusals.hpp"

using namespace et;
using namespace et::gateway;
using et::gateway::test::code;
using et::gateway::test::refused;

namespace {

const std::string openai_tools =
    R"("tools":[{"type":"function","function":{"name":"read","parameters":{"type":"object"}}},
                {"type":"function","function":{"name":"edit","parameters":{"type":"object"}}}])";

result<client_request> openai(const std::string& extra) {
  return parse_openai_request(R"({"model":"m","messages":[{"role":"user","content":"x"}],)"
                              + openai_tools + extra + "}");
}

result<client_request> anthropic(const std::string& extra) {
  return parse_anthropic_request(
      R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":"x"}],
          "tools":[{"name":"read","input_schema":{"type":"object"}}])"
      + extra + "}");
}

result<client_request> responses(const std::string& extra) {
  return parse_responses_request(
      R"({"model":"m","input":"x","tools":[{"type":"function","name":"read",
          "parameters":{"type":"object"}},{"type":"custom","name":"apply_patch"}])"
      + extra + "}");
}

} // namespace

CAF_TEST(OpenAI tool choices) {
  auto required = openai(R"(,"tool_choice":"required")");
  CAF_REQUIRE(required);
  CAF_CHECK(required->request.tool_use.required);
  CAF_CHECK(required->request.tool_use.name.empty());
  auto named = openai(R"(,"tool_choice":{"type":"function","function":{"name":"edit"}})");
  CAF_REQUIRE(named);
  CAF_CHECK(named->request.tool_use.required);
  CAF_CHECK_EQUAL(named->request.tool_use.name, "edit");
  auto none = openai(R"(,"tool_choice":"none","parallel_tool_calls":false)");
  CAF_REQUIRE(none);
  CAF_CHECK_EQUAL(none->request.tools.size(), 2u); // in view, so tool turns still read right
  // None called: nothing to hold to one call.
  CAF_CHECK(none->request.tool_use == tool_policy{.no_calls = true});
  auto none_offered = parse_openai_request(
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"none"})");
  CAF_REQUIRE(none_offered);
  CAF_CHECK(none_offered->request.tool_use == tool_policy{}); // no tools: nothing to say
  auto automatic = openai(R"(,"tool_choice":"auto")");
  CAF_REQUIRE(automatic);
  CAF_CHECK(automatic->request.tool_use == tool_policy{});
  CAF_CHECK_EQUAL(automatic->request.tools.size(), 2u);
}

CAF_TEST(one call a turn in every client protocol) {
  auto o = openai(R"(,"parallel_tool_calls":false)");
  CAF_REQUIRE(o);
  CAF_CHECK(o->request.tool_use.one_at_a_time);
  CAF_CHECK(!o->request.tool_use.required);
  auto o_true = openai(R"(,"parallel_tool_calls":true)");
  CAF_REQUIRE(o_true);
  CAF_CHECK(!o_true->request.tool_use.one_at_a_time);
  auto a = anthropic(R"(,"tool_choice":{"type":"auto","disable_parallel_tool_use":true})");
  CAF_REQUIRE(a);
  CAF_CHECK(a->request.tool_use.one_at_a_time);
  auto r = responses(R"(,"parallel_tool_calls":false)");
  CAF_REQUIRE(r);
  CAF_CHECK(r->request.tool_use.one_at_a_time);
}

CAF_TEST(Anthropic tool choices) {
  auto any = anthropic(R"(,"tool_choice":{"type":"any"})");
  CAF_REQUIRE(any);
  CAF_CHECK(any->request.tool_use.required);
  auto tool = anthropic(R"(,"tool_choice":{"type":"tool","name":"read"})");
  CAF_REQUIRE(tool);
  CAF_CHECK_EQUAL(tool->request.tool_use.name, "read");
  auto none = anthropic(R"(,"tool_choice":{"type":"none","disable_parallel_tool_use":true})");
  CAF_REQUIRE(none);
  CAF_CHECK(!none->request.tools.empty());
  CAF_CHECK(none->request.tool_use == tool_policy{.no_calls = true});
}

CAF_TEST(Responses tool choices) {
  auto fn = responses(R"(,"tool_choice":{"type":"function","name":"read"})");
  CAF_REQUIRE(fn);
  CAF_CHECK_EQUAL(fn->request.tool_use.name, "read");
  auto custom = responses(R"(,"tool_choice":{"type":"custom","name":"apply_patch"})");
  CAF_REQUIRE(custom);
  CAF_CHECK_EQUAL(custom->request.tool_use.name, "apply_patch");
  auto required = responses(R"(,"tool_choice":"required")");
  CAF_REQUIRE(required);
  CAF_CHECK(required->request.tool_use.required);
}

CAF_TEST(tool choice refusals name the field) {
  // A tool the request does not offer, or a call required of a request without tools.
  CAF_CHECK_EQUAL(refused(openai(R"(,"tool_choice":{"type":"function","function":{"name":"x"}})")),
                  "tool_choice");
  CAF_CHECK_EQUAL(refused(anthropic(R"(,"tool_choice":{"type":"tool","name":"edit"})")),
                  "tool_choice");
  CAF_CHECK_EQUAL(refused(parse_openai_request(
                      R"({"model":"m","messages":[{"role":"user","content":"x"}],
                          "tool_choice":"required"})")),
                  "tool_choice");
  // Shapes: unknown words and members, what the gateway cannot honour.
  CAF_CHECK_EQUAL(refused(openai(R"(,"tool_choice":"always")")), "tool_choice");
  CAF_CHECK_EQUAL(refused(openai(R"(,"tool_choice":{"type":"function"})")), "tool_choice.function");
  CAF_CHECK_EQUAL(refused(openai(R"(,"tool_choice":{"type":"function","function":{"name":""}})")),
                  "tool_choice.function.name");
  CAF_CHECK_EQUAL(
      refused(openai(R"(,"tool_choice":{"type":"function","function":{"name":"read","x":1}})")),
      "tool_choice.function.x");
  auto allowed = openai(R"(,"tool_choice":{"type":"allowed_tools","allowed_tools":{}})");
  CAF_CHECK_EQUAL(refused(allowed), "tool_choice.type");
  CAF_CHECK(code(allowed) == errc::unsupported);
  CAF_CHECK_EQUAL(refused(openai(R"(,"parallel_tool_calls":"no")")), "parallel_tool_calls");
  CAF_CHECK_EQUAL(refused(anthropic(R"(,"tool_choice":{"type":"some"})")), "tool_choice.type");
  CAF_CHECK_EQUAL(refused(anthropic(R"(,"tool_choice":{"type":"any","name":"read"})")),
                  "tool_choice.name");
  CAF_CHECK_EQUAL(refused(anthropic(R"(,"tool_choice":{"type":"tool"})")), "tool_choice.name");
  CAF_CHECK_EQUAL(
      refused(anthropic(R"(,"tool_choice":{"type":"auto","disable_parallel_tool_use":1})")),
      "tool_choice.disable_parallel_tool_use");
  auto search = responses(R"(,"tool_choice":{"type":"file_search"})");
  CAF_CHECK_EQUAL(refused(search), "tool_choice.type");
  CAF_CHECK(code(search) == errc::unsupported);
}

CAF_TEST(an answer is held to one call a turn where its upstream could not be told) {
  chat_response r;
  r.tool_calls = {{"c1", "read", "{}"}, {"c2", "edit", "{}"}, {"c3", "read", "{}"}};
  CAF_CHECK_EQUAL(hold_to_policy(r, tool_policy{}), 0u);
  CAF_CHECK_EQUAL(r.tool_calls.size(), 3u);
  CAF_CHECK_EQUAL(hold_to_policy(r, tool_policy{false, "", true}), 2u);
  CAF_REQUIRE_EQUAL(r.tool_calls.size(), 1u);
  CAF_CHECK_EQUAL(r.tool_calls[0].id, "c1");
  CAF_CHECK_EQUAL(hold_to_policy(r, tool_policy{false, "", true}), 0u);
}

CAF_TEST(an answer that calls tools the client said none of goes back without them) {
  // A server that ignores tool_choice none (some OpenAI-compatible ones do) still calls.
  chat_response r;
  r.content = "done";
  r.tool_calls = {{"c1", "read", "{}"}, {"c2", "edit", "{}"}};
  r.finish = finish_reason::tool_calls;
  CAF_CHECK_EQUAL(hold_to_policy(r, tool_policy{.no_calls = true}), 2u);
  CAF_CHECK(r.tool_calls.empty());
  CAF_CHECK(r.finish == finish_reason::stop); // not a turn that waits for tool results
  CAF_CHECK_EQUAL(r.content, "done");
  r.finish = finish_reason::length;
  r.tool_calls = {{"c1", "read", "{}"}};
  CAF_CHECK_EQUAL(hold_to_policy(r, tool_policy{.no_calls = true}), 1u);
  CAF_CHECK(r.finish == finish_reason::length); // only a stop for tool calls is changed
}
