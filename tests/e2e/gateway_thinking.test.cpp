#define CAF_SUITE e2e.gateway_thinking
#include "caf/test/unit_test.hpp"

// The thinking of reasoning models reaches gateway clients, from every upstream protocol,
// whole and streamed: OpenAI clients as reasoning_content (and a Claude model's signed blocks as
// LiteLLM's thinking_blocks), Anthropic clients that turn thinking on as thinking blocks before
// the text; Anthropic clients that do not see none.

#include "gateway_fixture.hpp"

using namespace et::e2e::gw;

namespace {

const std::vector<std::string> thinkers{"gptthink", "claudethink", "gemthink", "llamathink"};
const std::string thought = "Weighing it up.";
const std::string thinking_on = R"(,"thinking":{"type":"adaptive"})";

// ant_body with room to think: a budget model needs max_tokens above Anthropic's smallest
// budget (1024), or et does not ask it to think.
std::string roomy_body(const std::string& model, bool stream, const std::string& extra) {
  auto body = ant_body(model, stream, extra);
  body.replace(body.find(R"("max_tokens":64)"), 15, R"("max_tokens":4096)");
  return body;
}

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
  for (const auto& extra : {std::string{}, std::string{R"(,"thinking":{"type":"disabled"})"}}) {
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

CAF_TEST(a stream that fails after thinking its client does not see still falls back) {
  serve();
  // The first candidate thinks, then its stream fails before any text (with an error event,
  // or the connection drops): the client saw nothing, so the fallback answers as if the first
  // had never begun.
  std::string hidden_bodies;
  for (std::string role : {"thinkrole", "thinkrole3"}) {
    CAF_MESSAGE(role);
    auto hidden = anthropic(ant_body(role, true));
    hidden_bodies += hidden.body;
    CAF_CHECK_EQUAL(hidden.status, 200);
    auto evs = events_of(hidden.body);
    CAF_REQUIRE(!evs.empty());
    CAF_CHECK_EQUAL(anthropic_text(evs), "hello gateway");
    CAF_CHECK_EQUAL(anthropic_deltas(evs, "thinking_delta", "thinking"), "");
    CAF_CHECK_EQUAL(evs.back().name, "message_stop");
  }
  // A client that asked to see the thinking had it: no fallback can follow.
  auto shown = anthropic(roomy_body("thinkrole2", true, thinking_on));
  CAF_CHECK_EQUAL(shown.status, 200);
  auto sevs = events_of(shown.body);
  CAF_REQUIRE(!sevs.empty());
  CAF_CHECK_EQUAL(anthropic_deltas(sevs, "thinking_delta", "thinking"), thought);
  CAF_CHECK_EQUAL(anthropic_text(sevs), "");
  CAF_CHECK_EQUAL(sevs.back().name, "error");
  CAF_CHECK(clean(hidden_bodies + shown.body));
}

CAF_TEST(an Anthropic client that omits the display still gets the signed text) {
  // The text is what the signature signs: a block sent back without it would be refused.
  serve();
  const std::string omitted = R"(,"thinking":{"type":"adaptive","display":"omitted"})";
  auto whole = json::parse(anthropic(ant_body("claudethink", false, omitted)).body);
  CAF_REQUIRE_EQUAL(whole.at("content").as_array().size(), 2u);
  CAF_CHECK_EQUAL(
      json::serialize(whole.at("content").at(0)),
      R"({"type":"thinking","thinking":"Weighing it up.","signature":"ZmFrZS1zaWduYXR1cmU="})");
  auto streamed = events_of(anthropic(ant_body("claudethink", true, omitted)).body);
  CAF_CHECK_EQUAL(anthropic_deltas(streamed, "thinking_delta", "thinking"), thought);
  CAF_CHECK_EQUAL(anthropic_deltas(streamed, "signature_delta", "signature"),
                  "ZmFrZS1zaWduYXR1cmU=");
}

// The fake upstream enforces Anthropic's thinking rules (bench/fake_upstream/thinking.hpp):
// signatures checked, temperature refused with thinking, a tool loop's turn signed.

CAF_TEST(a Claude model whose alias says how it thinks is asked to think) {
  serve();
  for (std::string model : {"claudeadapt", "claudebudget"}) {
    CAF_MESSAGE(model);
    for (const auto& thinking : {thinking_on, std::string{R"(,"thinking":{"type":"enabled",)"
                                                          R"("budget_tokens":1500})"}}) {
      auto r = anthropic(roomy_body(model, false, thinking + R"(,"temperature":0.5)"));
      CAF_CHECK_EQUAL(r.status, 200);
      auto o = json::parse(r.body);
      CAF_REQUIRE_EQUAL(o.at("content").as_array().size(), 2u);
      CAF_CHECK_EQUAL(std::string{o.at("content").at(0).at("thinking").as_string()},
                      "Thinking it over.");
      CAF_CHECK_EQUAL(std::string{o.at("content").at(0).at("signature").as_string()},
                      "ZmFrZS1zaWduYXR1cmU=");
    }
  }
  // Without its alias's word the model is not asked: no thinking comes back. Nor is a budget
  // model without room for a budget.
  auto plain = json::parse(anthropic(roomy_body("claude", false, thinking_on)).body);
  CAF_CHECK_EQUAL(plain.at("content").as_array().size(), 1u);
  auto cramped = json::parse(anthropic(ant_body("claudebudget", false, thinking_on)).body);
  CAF_CHECK_EQUAL(cramped.at("content").as_array().size(), 1u);
}

CAF_TEST(the reasoning_effort of an OpenAI client makes a Claude model think) {
  serve();
  for (std::string model : {"claudeadapt", "claudebudget"}) {
    CAF_MESSAGE(model);
    auto r = openai(oai_body(model, false, R"(,"reasoning_effort":"low","max_tokens":4096)"));
    CAF_REQUIRE_EQUAL(r.status, 200);
    auto o = json::parse(r.body); // kept: `at` gives references into it
    const auto& msg = o.at("choices").at(0).at("message");
    CAF_CHECK_EQUAL(std::string{msg.at("reasoning_content").as_string()}, "Thinking it over.");
  }
  // "none" turns it off.
  auto off = openai(oai_body("claudeadapt", false, R"(,"reasoning_effort":"none")"));
  CAF_REQUIRE_EQUAL(off.status, 200);
  CAF_CHECK(!json::parse(off.body).at("choices").at(0).at("message").as_object().contains(
      "reasoning_content"));
}

CAF_TEST(a tool loop carries the signed thinking back to the Claude model) {
  serve();
  const std::string tools = R"(,"tools":[{"name":"get_weather","input_schema":{"type":"object"}}])";
  for (bool stream : {false, true}) {
    CAF_MESSAGE("stream " << stream);
    auto first = anthropic(ant_body("claudetoolthink", stream, thinking_on + tools));
    CAF_REQUIRE_EQUAL(first.status, 200);
    json::array content;
    if (!stream) {
      content = json::parse(first.body).at("content").as_array();
    } else { // what an SDK assembles from the events
      auto evs = events_of(first.body);
      CAF_CHECK_EQUAL(anthropic_deltas(evs, "signature_delta", "signature"),
                      "ZmFrZS1zaWduYXR1cmU=");
      content = {json::object{{"type", "thinking"},
                              {"thinking", anthropic_deltas(evs, "thinking_delta", "thinking")},
                              {"signature", anthropic_deltas(evs, "signature_delta", "signature")}},
                 json::object{{"type", "text"}, {"text", anthropic_text(evs)}}};
      for (const auto& e : evs)
        if (e.name == "content_block_start"
            && e.data.at("content_block").at("type").as_string() == "tool_use")
          content.push_back(e.data.at("content_block"));
    }
    CAF_REQUIRE_EQUAL(content.size(), 3u);
    CAF_CHECK_EQUAL(std::string{content[0].at("type").as_string()}, "thinking");
    auto use_id = std::string{content[2].at("id").as_string()};
    auto loop = [&](const json::array& turn) {
      json::array messages{
          json::object{{"role", "user"}, {"content", "hello gateway"}},
          json::object{{"role", "assistant"}, {"content", turn}},
          json::object{{"role", "user"},
                       {"content", json::array{json::object{{"type", "tool_result"},
                                                            {"tool_use_id", use_id},
                                                            {"content", "sunny"}}}}}};
      return anthropic(R"({"model":"claudetoolthink","max_tokens":64,"messages":)"
                       + json::serialize(messages) + thinking_on + tools + "}");
    };
    // The signed turn goes back as it came: the model thinks on.
    auto next = loop(content);
    CAF_REQUIRE_EQUAL(next.status, 200);
    CAF_CHECK_EQUAL(std::string{json::parse(next.body).at("content").at(0).at("type").as_string()},
                    "thinking");
    // A signature changed on the way is refused upstream, as Anthropic refuses it.
    auto forged = content;
    forged[0].as_object()["signature"] = "Zm9yZ2Vk";
    auto refused = loop(forged);
    CAF_CHECK_EQUAL(refused.status, 400);
    CAF_CHECK(has(refused.body, "signature"));
    // A loop begun without thinking goes on without it (Anthropic would refuse it otherwise).
    json::array unsigned_turn{content[1], content[2]};
    auto without = loop(unsigned_turn);
    CAF_REQUIRE_EQUAL(without.status, 200);
    CAF_CHECK_EQUAL(
        std::string{json::parse(without.body).at("content").at(0).at("type").as_string()}, "text");
  }
}

CAF_TEST(an OpenAI client s tool loop carries thinking_blocks back to the Claude model) {
  serve();
  const std::string tools =
      R"(,"reasoning_effort":"low","tools":[{"type":"function","function":{"name":"get_weather",)"
      R"("parameters":{"type":"object"}}}])";
  for (bool stream : {false, true}) {
    CAF_MESSAGE("stream " << stream);
    auto first = openai(oai_body("claudetoolthink", stream, tools));
    CAF_REQUIRE_EQUAL(first.status, 200);
    // The assistant message as a LiteLLM client keeps it: its calls and its thinking_blocks.
    json::object turn{{"role", "assistant"}, {"content", nullptr}};
    if (!stream) {
      auto o = json::parse(first.body);
      const auto& msg = o.at("choices").at(0).at("message").as_object();
      turn["tool_calls"] = msg.at("tool_calls");
      turn["thinking_blocks"] = msg.at("thinking_blocks");
    } else {
      json::array blocks;
      for (const auto& e : events_of(first.body)) {
        if (e.done || e.data.at("choices").as_array().empty())
          continue;
        const auto& d = e.data.at("choices").at(0).at("delta").as_object();
        if (const auto* b = d.if_contains("thinking_blocks"))
          for (const auto& block : b->as_array())
            blocks.push_back(block);
        if (const auto* c = d.if_contains("tool_calls")) { // whole, in one delta
          auto calls = c->as_array();
          for (auto& call : calls)
            call.as_object().erase("index"); // a delta's, not a message's
          turn["tool_calls"] = calls;
        }
      }
      turn["thinking_blocks"] = blocks;
    }
    const auto& blocks = turn.at("thinking_blocks").as_array();
    CAF_REQUIRE_EQUAL(blocks.size(), 1u);
    CAF_CHECK_EQUAL(std::string{blocks[0].at("signature").as_string()}, "ZmFrZS1zaWduYXR1cmU=");
    auto call_id = std::string{turn.at("tool_calls").at(0).at("id").as_string()};
    auto loop = [&](const json::object& assistant) {
      json::array messages{
          json::object{{"role", "user"}, {"content", "hello gateway"}}, assistant,
          json::object{{"role", "tool"}, {"tool_call_id", call_id}, {"content", "sunny"}}};
      return openai(R"({"model":"claudetoolthink","messages":)" + json::serialize(messages) + tools
                    + "}");
    };
    // The signed turn goes back as it came: the model thinks on.
    auto next = loop(turn);
    CAF_REQUIRE_EQUAL(next.status, 200);
    CAF_CHECK(json::parse(next.body).at("choices").at(0).at("message").as_object().contains(
        "thinking_blocks"));
    // A signature changed on the way is refused upstream, as Anthropic refuses it.
    auto forged = turn;
    forged["thinking_blocks"].as_array()[0].as_object()["signature"] = "Zm9yZ2Vk";
    auto refused = loop(forged);
    CAF_CHECK_EQUAL(refused.status, 400);
    CAF_CHECK(has(refused.body, "signature"));
    // Without the blocks the loop goes on without thinking.
    auto bare = turn;
    bare.erase("thinking_blocks");
    auto without = loop(bare);
    CAF_REQUIRE_EQUAL(without.status, 200);
    CAF_CHECK(!json::parse(without.body)
                   .at("choices")
                   .at(0)
                   .at("message")
                   .as_object()
                   .contains("thinking_blocks"));
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
