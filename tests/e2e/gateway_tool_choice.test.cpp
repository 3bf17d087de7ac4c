#define CAF_SUITE e2e.gateway_tool_choice
#include "caf/test/unit_test.hpp"

// tool_choice none through the gateway: the client keeps its tools in the request and the
// model may call none of them. The fake upstreams here call a tool whatever they are told
// (x-fake-tool), as a server that ignores "none" would: the gateway drops those calls, whole
// and streamed, in both client protocols, and a stop for tool calls becomes a plain stop.

#include "gateway_fixture.hpp"

using namespace et::e2e;
using namespace et::e2e::gw;

namespace {

const std::string oai_none =
    R"(,"tool_choice":"none","tools":[{"type":"function","function":{"name":"get_weather",)"
    R"("parameters":{"type":"object"}}}])";
const std::string ant_none = R"(,"tool_choice":{"type":"none"},)"
                             R"("tools":[{"name":"get_weather","input_schema":{"type":"object"}}])";

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_tool_choice_tests, fixture)

CAF_TEST(calls the client said none of never reach it) {
  serve();
  for (std::string model : {"gpttool", "claudetool"}) {
    CAF_MESSAGE(model);
    auto whole = openai(oai_body(model, false, oai_none));
    CAF_REQUIRE_EQUAL(whole.status, 200);
    auto o = json::parse(whole.body);
    const auto& choice = o.at("choices").at(0);
    CAF_CHECK_EQUAL(std::string{choice.at("finish_reason").as_string()}, "stop");
    CAF_CHECK(!choice.at("message").as_object().contains("tool_calls"));
    CAF_CHECK_EQUAL(std::string{choice.at("message").at("content").as_string()}, "Checking.");
    auto streamed = events_of(openai(oai_body(model, true, oai_none)).body);
    std::string finish;
    for (const auto& e : streamed) {
      if (e.done || e.data.at("choices").as_array().empty())
        continue;
      const auto& c = e.data.at("choices").at(0);
      CAF_CHECK(!c.at("delta").as_object().contains("tool_calls"));
      if (c.at("finish_reason").is_string())
        finish = std::string{c.at("finish_reason").as_string()};
    }
    CAF_CHECK_EQUAL(finish, "stop");
    CAF_CHECK_EQUAL(openai_text(streamed), "Checking.");
    auto a = json::parse(anthropic(ant_body(model, false, ant_none)).body);
    CAF_CHECK_EQUAL(std::string{a.at("stop_reason").as_string()}, "end_turn");
    CAF_REQUIRE_EQUAL(a.at("content").as_array().size(), 1u);
    CAF_CHECK_EQUAL(std::string{a.at("content").at(0).at("type").as_string()}, "text");
    auto astream = events_of(anthropic(ant_body(model, true, ant_none)).body);
    for (const auto& e : astream)
      if (e.name == "content_block_start")
        CAF_CHECK_EQUAL(std::string{e.data.at("content_block").at("type").as_string()}, "text");
    CAF_CHECK_EQUAL(anthropic_text(astream), "Checking.");
  }
  // The log says why the calls went.
  CAF_CHECK(poll_until([&] { return has(gateway->err(), "tool calls dropped (none asked)"); },
                       std::chrono::seconds{20}));
}

CAF_TEST_FIXTURE_SCOPE_END()
