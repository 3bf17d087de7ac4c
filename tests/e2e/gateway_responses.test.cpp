#define CAF_SUITE e2e.gateway_responses
#include "caf/test/unit_test.hpp"

// POST /v1/responses, the OpenAI API Codex speaks, through `et serve --http` to every upstream
// protocol: whole and streamed answers, a stream cut after its first text ending as failed
// (never completed), and refusals in OpenAI's error shape. The official SDK's view of the same
// is in gateway_sdk (which skips without node).

#include "et/util/encode.hpp"
#include "gateway_fixture.hpp"

using namespace et::e2e::gw;

namespace {

std::string body(const std::string& model, bool stream, const std::string& extra = "") {
  return R"({"model":")" + model + R"(","stream":)" + (stream ? "true" : "false")
         + R"(,"input":[{"role":"user","content":"hello gateway"}])" + extra + "}";
}

// The text of a response object's message items.
std::string output_text(const json::value& response) {
  std::string text;
  for (const auto& item : response.at("output").as_array())
    if (item.at("type") == "message")
      for (const auto& part : item.at("content").as_array())
        text += std::string{part.at("text").as_string()};
  return text;
}

// What Codex asks of a reasoning model: its effort, a summary, and the sealed thinking back.
const std::string reasoning_asked = R"(,"reasoning":{"effort":"low","summary":"auto"},)"
                                    R"("include":["reasoning.encrypted_content"],"store":false)";
const std::string weather_tool =
    R"(,"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}])";

// The output items of an answer as Codex keeps them: the response's output, or each
// response.output_item.done of a stream.
json::array output_items(const std::string& answer, bool stream) {
  if (!stream)
    return json::parse(answer).at("output").as_array();
  json::array items;
  auto evs = events_of(answer);
  for (const auto& e : evs)
    if (e.name == "response.output_item.done")
      items.push_back(e.data.at("item"));
  CAF_CHECK(!evs.empty() && evs.back().data.at("response").at("output") == items);
  return items;
}

// The item's text sealed again with one signature changed, as a client that forged it would.
std::string forged(const json::value& sealed) {
  std::string text{sealed.as_string()};
  std::string prefix = "et.thoughts.1:";
  std::string decoded;
  CAF_REQUIRE(et::base64_decode_into(text.substr(prefix.size()), decoded));
  auto thoughts = json::parse(decoded);
  thoughts.as_array().at(0).as_object()["signature"] = "Zm9yZ2Vk";
  return prefix + et::base64(json::serialize(thoughts));
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_responses_tests, fixture)

CAF_TEST(every upstream protocol answers a responses client whole and streamed) {
  serve();
  for (const std::string model : {"gpt", "claude", "gem", "llama"}) {
    CAF_MESSAGE(model);
    // Settings the response object repeats, as OpenAI's does.
    const std::string settings = R"(,"max_output_tokens":64,"metadata":{"run":"r1"})";
    auto whole = call("POST", "/v1/responses", body(model, false, settings));
    CAF_REQUIRE_EQUAL(whole.status, 200);
    auto o = json::parse(whole.body);
    CAF_CHECK_EQUAL(std::string{o.at("status").as_string()}, "completed");
    CAF_CHECK_EQUAL(output_text(o), "hello gateway");
    CAF_CHECK_GREATER(o.at("usage").at("output_tokens").as_int64(), 0);
    CAF_CHECK(has(whole.header("x-et-answered-by"), model));
    CAF_CHECK_EQUAL(o.at("max_output_tokens").as_int64(), 64);
    CAF_CHECK_EQUAL(std::string{o.at("metadata").at("run").as_string()}, "r1");
    auto streamed = call("POST", "/v1/responses", body(model, true, settings));
    CAF_REQUIRE_EQUAL(streamed.status, 200);
    auto evs = events_of(streamed.body);
    CAF_REQUIRE(!evs.empty());
    CAF_CHECK_EQUAL(evs.front().name, "response.created");
    CAF_CHECK_EQUAL(evs.back().name, "response.completed");
    std::string deltas;
    for (const auto& e : evs)
      if (e.name == "response.output_text.delta")
        deltas += std::string{e.data.at("delta").as_string()};
    CAF_CHECK_EQUAL(deltas, "hello gateway");
    CAF_CHECK_EQUAL(output_text(evs.back().data.at("response")), "hello gateway");
    CAF_CHECK_EQUAL(evs.front().data.at("response").at("max_output_tokens").as_int64(), 64);
    CAF_CHECK_EQUAL(evs.back().data.at("response").at("max_output_tokens").as_int64(), 64);
  }
}

CAF_TEST(a stream cut after its first text ends failed and never completed) {
  serve();
  auto cut = call("POST", "/v1/responses", body("cutrole3", true));
  CAF_REQUIRE_EQUAL(cut.status, 200);
  auto evs = events_of(cut.body);
  CAF_REQUIRE_GREATER_OR_EQUAL(evs.size(), 3u);
  CAF_CHECK_EQUAL(evs[evs.size() - 2].name, "response.failed");
  CAF_CHECK_EQUAL(evs.back().name, "error");
  for (const auto& e : evs)
    CAF_CHECK_NOT_EQUAL(e.name, "response.completed");
  CAF_CHECK(fixture::clean(cut.body));
}

CAF_TEST(what cannot be honoured is a 400 naming the field) {
  serve();
  auto stored = call("POST", "/v1/responses", body("gpt", false, R"(,"previous_response_id":"r")"));
  CAF_CHECK_EQUAL(stored.status, 400);
  CAF_CHECK_EQUAL(field(stored.body, "error", "param"), "previous_response_id");
  auto custom = call("POST", "/v1/responses",
                     body("gpt", false, R"(,"tools":[{"type":"mcp","server_label":"x"}])"));
  CAF_CHECK_EQUAL(custom.status, 400);
  CAF_CHECK_EQUAL(field(custom.body, "error", "param"), "tools[0].type");
  CAF_CHECK_EQUAL(call("GET", "/v1/responses").status, 405);
  CAF_CHECK_EQUAL(call("POST", "/v1/responses", body("nosuch", false)).status, 404);
}

CAF_TEST(a responses client that asks for a summary sees every upstream s thinking) {
  serve();
  for (const std::string model : {"gptthink", "claudethink", "gemthink", "llamathink"}) {
    CAF_MESSAGE(model);
    for (bool stream : {false, true}) {
      auto r = call("POST", "/v1/responses", body(model, stream, reasoning_asked));
      CAF_REQUIRE_EQUAL(r.status, 200);
      auto items = output_items(r.body, stream);
      CAF_REQUIRE_EQUAL(items.size(), 2u);
      CAF_CHECK_EQUAL(std::string{items[0].at("type").as_string()}, "reasoning");
      CAF_CHECK_EQUAL(std::string{items[0].at("summary").at(0).at("text").as_string()},
                      "Weighing it up.");
      // Only Anthropic signs its thinking: the others have nothing to carry.
      CAF_CHECK_EQUAL(items[0].at("encrypted_content").is_string(), model == "claudethink");
      CAF_CHECK_EQUAL(std::string{items[1].at("type").as_string()}, "message");
    }
  }
  // Without a summary or include asked for, no reasoning item.
  auto plain = call("POST", "/v1/responses", body("claudethink", false));
  CAF_CHECK_EQUAL(output_items(plain.body, false).size(), 1u);
}

CAF_TEST(a codex tool loop carries the sealed thinking back to the Claude model) {
  serve();
  const json::object asked{{"role", "user"}, {"content", "hello gateway"}};
  // The answer's items and the output of its call: one turn of a tool loop, as Codex sends it.
  auto turn_of = [](const json::array& items) {
    auto turn = items;
    for (const auto& item : items)
      if (item.at("type") == "function_call")
        turn.push_back(json::object{{"type", "function_call_output"},
                                    {"call_id", item.at("call_id")},
                                    {"output", "sunny"}});
    return turn;
  };
  auto ask = [&](const json::array& turns, bool stream) {
    json::array input{asked};
    for (const auto& item : turns)
      input.push_back(item);
    return call("POST", "/v1/responses",
                R"({"model":"claudetoolthink","input":)" + json::serialize(input) + R"(,"stream":)"
                    + (stream ? "true" : "false") + reasoning_asked + weather_tool + "}");
  };
  for (bool stream : {false, true}) {
    CAF_MESSAGE("stream " << stream);
    auto first = ask({}, stream);
    CAF_REQUIRE_EQUAL(first.status, 200);
    auto items = output_items(first.body, stream);
    CAF_REQUIRE_EQUAL(items.size(), 3u);
    CAF_CHECK_EQUAL(std::string{items[0].at("type").as_string()}, "reasoning");
    CAF_REQUIRE(items[0].at("encrypted_content").is_string());
    CAF_CHECK_EQUAL(std::string{items[2].at("type").as_string()}, "function_call");
    // The sealed turn goes back as it came: the fake upstream checks its signature, and the
    // model thinks on, turn after turn.
    auto history = turn_of(items);
    for (int round = 0; round < 2; ++round) {
      auto next = ask(history, stream);
      CAF_REQUIRE_EQUAL(next.status, 200);
      auto answer = output_items(next.body, stream);
      CAF_REQUIRE_EQUAL(answer.size(), 3u);
      CAF_CHECK_EQUAL(std::string{answer[0].at("type").as_string()}, "reasoning");
      for (auto& item : turn_of(answer))
        history.push_back(item);
    }
    // A signature changed on the way is refused upstream, as Anthropic refuses it.
    auto changed = items;
    changed[0].as_object()["encrypted_content"] = forged(items[0].at("encrypted_content"));
    auto refused = ask(turn_of(changed), false);
    CAF_CHECK_EQUAL(refused.status, 400);
    CAF_CHECK(has(refused.body, "signature"));
    // Without the reasoning item the loop goes on without thinking (Anthropic would refuse a
    // thinking request whose tool turn is unsigned).
    auto without = ask(turn_of(json::array{items[1], items[2]}), false);
    CAF_REQUIRE_EQUAL(without.status, 200);
    CAF_CHECK_EQUAL(
        std::string{json::parse(without.body).at("output").at(0).at("type").as_string()},
        "message");
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
