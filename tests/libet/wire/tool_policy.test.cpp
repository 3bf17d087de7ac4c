#define CAF_SUITE libet.wire.tool_policy
#include "caf/test/unit_test.hpp"

// A request's tool policy (a required call, a named tool, one call a turn) in each protocol's
// words, and refused where a protocol cannot say it.

#include "image_test_support.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using et::wire::test::name;
namespace json = boost::json;

namespace {

chat_request with_tools(tool_policy policy) {
  auto req = test::request_of("m", {test::user_says("read both files")});
  req.tools = {{"read", "reads a file", R"({"type":"object"})"},
               {"edit", "edits a file", R"({"type":"object"})"}};
  req.tool_use = std::move(policy);
  return req;
}

// The body `type` sends for `req`.
json::object body_of(config::provider_type type, const chat_request& req) {
  auto out = make_codec(test::make_provider(type))->chat(req, false);
  CAF_REQUIRE(out.has_value());
  return json::parse(out->body).as_object();
}

std::string member(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v == nullptr ? std::string{"absent"} : json::serialize(*v);
}

const tool_policy required{true, "", false};
const tool_policy named{true, "edit", false};
const tool_policy one_call{false, "", true};
const tool_policy no_calls{.no_calls = true};

} // namespace

CAF_TEST(openai says tool_choice and parallel_tool_calls) {
  using config::provider_type;
  CAF_CHECK_EQUAL(member(body_of(provider_type::openai, with_tools({})), "tool_choice"), "absent");
  CAF_CHECK_EQUAL(member(body_of(provider_type::openai, with_tools({})), "parallel_tool_calls"),
                  "absent");
  CAF_CHECK_EQUAL(member(body_of(provider_type::openai, with_tools(required)), "tool_choice"),
                  R"("required")");
  CAF_CHECK_EQUAL(member(body_of(provider_type::openai, with_tools(named)), "tool_choice"),
                  R"({"type":"function","function":{"name":"edit"}})");
  auto one = body_of(provider_type::openai, with_tools(one_call));
  CAF_CHECK_EQUAL(member(one, "parallel_tool_calls"), "false");
  CAF_CHECK_EQUAL(member(one, "tool_choice"), "absent");
}

CAF_TEST(anthropic says tool_choice with disable_parallel_tool_use) {
  using config::provider_type;
  CAF_CHECK_EQUAL(member(body_of(provider_type::anthropic, with_tools({})), "tool_choice"),
                  "absent");
  CAF_CHECK_EQUAL(member(body_of(provider_type::anthropic, with_tools(required)), "tool_choice"),
                  R"({"type":"any"})");
  CAF_CHECK_EQUAL(member(body_of(provider_type::anthropic, with_tools(named)), "tool_choice"),
                  R"({"type":"tool","name":"edit"})");
  CAF_CHECK_EQUAL(member(body_of(provider_type::anthropic, with_tools(one_call)), "tool_choice"),
                  R"({"type":"auto","disable_parallel_tool_use":true})");
  CAF_CHECK_EQUAL(
      member(body_of(provider_type::anthropic, with_tools({true, "read", true})), "tool_choice"),
      R"({"type":"tool","name":"read","disable_parallel_tool_use":true})");
}

CAF_TEST(anthropic refuses a required call in a request that thinks) {
  auto req = with_tools(named);
  req.thinking.asked = thinking_request::want::on;
  req.thinking.takes = thinking_style::adaptive;
  auto c = make_codec(test::make_provider(config::provider_type::anthropic));
  auto out = c->chat(req, false);
  CAF_REQUIRE(!out);
  CAF_CHECK_EQUAL(name(out.error().code), "unsupported");
  req.tool_use = one_call; // not a forced call: thinking may stay
  CAF_CHECK(c->chat(req, false).has_value());
}

CAF_TEST(gemini says functionCallingConfig) {
  using config::provider_type;
  CAF_CHECK_EQUAL(member(body_of(provider_type::gemini, with_tools({})), "toolConfig"), "absent");
  CAF_CHECK_EQUAL(member(body_of(provider_type::gemini, with_tools(required)), "toolConfig"),
                  R"({"functionCallingConfig":{"mode":"ANY"}})");
  CAF_CHECK_EQUAL(member(body_of(provider_type::gemini, with_tools(named)), "toolConfig"),
                  R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["edit"]}})");
  // One call a turn has no words in Gemini: the gateway holds the answer to it.
  CAF_CHECK_EQUAL(member(body_of(provider_type::gemini, with_tools(one_call)), "toolConfig"),
                  "absent");
}

CAF_TEST(ollama cannot be made to call a tool) {
  auto c = make_codec(test::make_provider(config::provider_type::ollama, ""));
  for (const auto& policy : {required, named}) {
    auto out = c->chat(with_tools(policy), false);
    CAF_REQUIRE(!out);
    CAF_CHECK_EQUAL(name(out.error().code), "unsupported");
  }
  CAF_CHECK(c->chat(with_tools(one_call), false).has_value());
  CAF_CHECK(c->chat(with_tools({}), false).has_value());
}

CAF_TEST(a policy without tools says nothing) {
  auto req = with_tools(named);
  req.tools.clear();
  using config::provider_type;
  CAF_CHECK_EQUAL(member(body_of(provider_type::openai, req), "tool_choice"), "absent");
  CAF_CHECK_EQUAL(member(body_of(provider_type::anthropic, req), "tool_choice"), "absent");
  CAF_CHECK_EQUAL(member(body_of(provider_type::gemini, req), "toolConfig"), "absent");
}

CAF_TEST(openai reasoning models get no parallel_tool_calls) {
  // api.openai.com refuses the parameter for them: the gateway holds one call a turn instead.
  auto req = with_tools(one_call);
  req.model = "o4-mini";
  auto body = body_of(config::provider_type::openai, req);
  CAF_CHECK_EQUAL(member(body, "parallel_tool_calls"), "absent");
  req.model = "gpt-4.1";
  CAF_CHECK_EQUAL(member(body_of(config::provider_type::openai, req), "parallel_tool_calls"),
                  "false");
}

CAF_TEST(none keeps the tools in view where the protocol can say none) {
  using config::provider_type;
  auto openai = body_of(provider_type::openai, with_tools(no_calls));
  CAF_CHECK_EQUAL(member(openai, "tool_choice"), R"("none")");
  CAF_CHECK(openai.at("tools").as_array().size() == 2);
  CAF_CHECK_EQUAL(member(openai, "parallel_tool_calls"), "absent");
  auto anthropic = body_of(provider_type::anthropic, with_tools(no_calls));
  CAF_CHECK_EQUAL(member(anthropic, "tool_choice"), R"({"type":"none"})");
  CAF_CHECK(anthropic.at("tools").as_array().size() == 2);
  auto gemini = body_of(provider_type::gemini, with_tools(no_calls));
  CAF_CHECK_EQUAL(member(gemini, "toolConfig"), R"({"functionCallingConfig":{"mode":"NONE"}})");
  CAF_CHECK(gemini.at("tools").as_array().size() == 1); // one functionDeclarations group
}

CAF_TEST(a server of the openai protocol that is not openai is not shown tools it may not call) {
  // llama.cpp without its templates, or an Ollama model without tools, may refuse them.
  auto p = test::make_provider(config::provider_type::openai);
  p.base_url = "http://127.0.0.1:8080/v1";
  auto out = make_codec(p)->chat(with_tools(no_calls), false);
  CAF_REQUIRE(out.has_value());
  auto body = json::parse(out->body).as_object();
  CAF_CHECK_EQUAL(member(body, "tools"), "absent");
  CAF_CHECK_EQUAL(member(body, "tool_choice"), "absent");
  auto allowed = make_codec(p)->chat(with_tools({}), false); // tools it may call are shown
  CAF_REQUIRE(allowed.has_value());
  CAF_CHECK(json::parse(allowed->body).as_object().contains("tools"));
}

CAF_TEST(none with thinking is said to anthropic) {
  // Anthropic refuses any and a named tool with thinking, but takes none.
  auto req = with_tools(no_calls);
  req.thinking.asked = thinking_request::want::on;
  req.thinking.takes = thinking_style::adaptive;
  auto out = make_codec(test::make_provider(config::provider_type::anthropic))->chat(req, false);
  CAF_REQUIRE(out.has_value());
  CAF_CHECK_EQUAL(member(json::parse(out->body).as_object(), "tool_choice"), R"({"type":"none"})");
}

CAF_TEST(ollama is not shown tools it may not call) {
  // Ollama has no tool_choice: the only way to say none is to offer none.
  auto body = body_of(config::provider_type::ollama, with_tools(no_calls));
  CAF_CHECK_EQUAL(member(body, "tools"), "absent");
  CAF_CHECK(body_of(config::provider_type::ollama, with_tools({})).contains("tools"));
}
