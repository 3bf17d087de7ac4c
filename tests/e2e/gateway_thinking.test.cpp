#define CAF_SUITE e2e.gateway_thinking
#include "caf/test/unit_test.hpp"

// The thinking of reasoning models reaches gateway clients, from every upstream protocol,
// whole and streamed: OpenAI clients as reasoning_content, Anthropic clients that turn thinking
// on as thinking blocks before the text; Anthropic clients that do not see none.

#include "gateway_fixture.hpp"

using namespace et::e2e::gw;

namespace {

const std::vector<std::string> thinkers{"gptthink", "claudethink", "gemthink", "llamathink"};
const std::string thought = "Weighing it up.";
const std::string thinking_on = R"(,"thinking":{"type":"adaptive"})";

// The names of the events of `evs` except the deltas.
std::vector<std::string> frame(const std::vector<event>& evs) {
  std::vector<std::string> names;
  for (const auto& e : evs)
    if (e.name != "content_block_delta")
      names.push_back(e.name);
  return names;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_thinking_tests, fixture)

CAF_TEST(an OpenAI client gets the thinking of every upstream as reasoning_content) {
  serve();
  for (const auto& model : thinkers) {
    CAF_MESSAGE(model);
    auto whole = openai(oai_body(model, false));
    CAF_CHECK_EQUAL(whole.status, 200);
    auto o = json::parse(whole.body);
    const auto& msg = o.at("choices").at(0).at("message");
    CAF_CHECK_EQUAL(std::string{msg.at("reasoning_content").as_string()}, thought);
    CAF_CHECK_EQUAL(std::string{msg.at("content").as_string()}, "hello gateway");
    auto streamed = openai(oai_body(model, true));
    CAF_CHECK_EQUAL(streamed.status, 200);
    auto evs = events_of(streamed.body);
    CAF_CHECK(!evs.empty() && evs.back().done);
    CAF_CHECK_EQUAL(openai_deltas(evs, "reasoning_content"), thought);
    CAF_CHECK_EQUAL(openai_text(evs), "hello gateway");
  }
  // An answer without thinking has no reasoning_content.
  auto plain = json::parse(openai(oai_body("gpt", false)).body);
  CAF_CHECK(!plain.at("choices").at(0).at("message").as_object().contains("reasoning_content"));
}

CAF_TEST(an Anthropic client with thinking on gets a thinking block before the text) {
  serve();
  for (const auto& model : thinkers) {
    CAF_MESSAGE(model);
    auto whole = anthropic(ant_body(model, false, thinking_on));
    CAF_CHECK_EQUAL(whole.status, 200);
    auto o = json::parse(whole.body);
    const auto& content = o.at("content").as_array();
    CAF_REQUIRE_EQUAL(content.size(), 2u);
    CAF_CHECK_EQUAL(std::string{content[0].at("type").as_string()}, "thinking");
    CAF_CHECK_EQUAL(std::string{content[0].at("thinking").as_string()}, thought);
    CAF_CHECK_EQUAL(std::string{content[1].at("text").as_string()}, "hello gateway");
    auto streamed = anthropic(ant_body(model, true, thinking_on));
    CAF_CHECK_EQUAL(streamed.status, 200);
    auto evs = events_of(streamed.body);
    CAF_CHECK_EQUAL(frame(evs), (std::vector<std::string>{
                                    "message_start", "content_block_start", "ping",
                                    "content_block_stop", "content_block_start",
                                    "content_block_stop", "message_delta", "message_stop"}));
    CAF_CHECK_EQUAL(anthropic_deltas(evs, "thinking_delta", "thinking"), thought);
    CAF_CHECK_EQUAL(anthropic_text(evs), "hello gateway");
  }
}

CAF_TEST(an Anthropic client without thinking on sees none) {
  serve();
  for (const auto& extra :
       {std::string{}, std::string{R"(,"thinking":{"type":"disabled"})"},
        std::string{R"(,"thinking":{"type":"adaptive","display":"omitted"})"}}) {
    CAF_MESSAGE(extra);
    auto whole = json::parse(anthropic(ant_body("claudethink", false, extra)).body);
    CAF_REQUIRE_EQUAL(whole.at("content").as_array().size(), 1u);
    CAF_CHECK_EQUAL(std::string{whole.at("content").at(0).at("type").as_string()}, "text");
    auto evs = events_of(anthropic(ant_body("gemthink", true, extra)).body);
    CAF_CHECK_EQUAL(frame(evs), (std::vector<std::string>{"message_start", "content_block_start",
                                                          "ping", "content_block_stop",
                                                          "message_delta", "message_stop"}));
    CAF_CHECK_EQUAL(anthropic_deltas(evs, "thinking_delta", "thinking"), "");
    CAF_CHECK_EQUAL(anthropic_text(evs), "hello gateway");
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
