#define CAF_SUITE libet.wire.anthropic_thinking
#include "caf/test/unit_test.hpp"

// Anthropic's thinking both ways: asked for only in the way the model takes it, signed
// thinking sent back in assistant turns, and an answer's thinking kept with its signatures.

#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
namespace json = boost::json;

namespace {

using want = thinking_request::want;
using style = thinking_style;

chat_request asking(want w, style s, std::optional<int32_t> budget = std::nullopt) {
  chat_request req;
  req.model = "claude-x";
  req.messages = {{role::user, "hi"}};
  req.max_tokens = 8000;
  req.temperature = 0.5;
  req.top_p = 0.9;
  req.thinking = {w, budget, s};
  return req;
}

json::object body_of(const chat_request& req) {
  auto c = make_codec(test::make_provider(config::provider_type::anthropic, "sk-ant-x"));
  auto r = c->chat(req, false);
  if (!r)
    CAF_FAIL("not encoded: " << r.error().message);
  return json::parse(r->body).as_object();
}

// The request's thinking as JSON text, "" when it has none.
std::string thinking_of(const chat_request& req) {
  auto o = body_of(req);
  return o.contains("thinking") ? json::serialize(o.at("thinking")) : "";
}

// A tool loop: the assistant turn called a tool, with its signed thinking when `signed_turn`.
chat_request tool_loop(bool signed_turn) {
  auto req = asking(want::on, style::adaptive);
  message turn{role::assistant, "Checking.", {{"toolu_1", "look", R"({"at":"x"})"}}};
  if (signed_turn)
    turn.thoughts = {thought{"Let me look.", "sig1", {}}, thought{{}, {}, "REDACTED"}};
  req.messages.push_back(std::move(turn));
  req.messages.push_back({role::tool, "found", {}, "toolu_1", "look"});
  return req;
}

} // namespace

CAF_TEST(thinking goes out only in the way the model takes it) {
  CAF_CHECK_EQUAL(thinking_of(asking(want::on, style::unknown)), "");
  CAF_CHECK_EQUAL(body_of(asking(want::on, style::unknown)).at("temperature").as_double(), 0.5);
  CAF_CHECK_EQUAL(thinking_of(asking(want::on, style::adaptive)), R"({"type":"adaptive"})");
  auto on = body_of(asking(want::on, style::adaptive));
  CAF_CHECK(!on.contains("temperature") && !on.contains("top_p")); // refused with thinking
  CAF_CHECK_EQUAL(thinking_of(asking(want::on, style::budget)),
                  R"({"type":"enabled","budget_tokens":4000})");
  CAF_CHECK_EQUAL(thinking_of(asking(want::on, style::budget, 500)),
                  R"({"type":"enabled","budget_tokens":1024})");
  CAF_CHECK_EQUAL(thinking_of(asking(want::on, style::budget, 9000)),
                  R"({"type":"enabled","budget_tokens":7999})");
  auto small = asking(want::on, style::budget);
  small.max_tokens = 1024; // no room for the smallest budget below max_tokens
  CAF_CHECK_EQUAL(thinking_of(small), "");
  CAF_CHECK_EQUAL(thinking_of(asking(want::off, style::adaptive)), R"({"type":"disabled"})");
  CAF_CHECK_EQUAL(thinking_of(asking(want::off, style::unknown)), "");
  CAF_CHECK_EQUAL(thinking_of(asking(want::model_default, style::budget)), "");
}

CAF_TEST(signed thinking goes back first in its turn when the request thinks) {
  auto o = body_of(tool_loop(true));
  CAF_CHECK_EQUAL(json::serialize(o.at("thinking")), R"({"type":"adaptive"})");
  const auto& blocks = o.at("messages").at(1).at("content").as_array();
  CAF_REQUIRE_EQUAL(blocks.size(), 4u);
  CAF_CHECK_EQUAL(json::serialize(blocks[0]),
                  R"({"type":"thinking","thinking":"Let me look.","signature":"sig1"})");
  CAF_CHECK_EQUAL(json::serialize(blocks[1]), R"({"type":"redacted_thinking","data":"REDACTED"})");
  CAF_CHECK_EQUAL(std::string{blocks[2].at("type").as_string()}, "text");
  CAF_CHECK_EQUAL(std::string{blocks[3].at("type").as_string()}, "tool_use");
  // A request that does not think sends no thinking back.
  auto plain = tool_loop(true);
  plain.thinking.asked = want::model_default;
  CAF_CHECK_EQUAL(body_of(plain).at("messages").at(1).at("content").as_array().size(), 2u);
}

CAF_TEST(a tool loop begun without signed thinking goes on without thinking) {
  // Anthropic refuses a thinking request whose tool-use turn carries no thinking.
  auto o = body_of(tool_loop(false));
  CAF_CHECK(!o.contains("thinking"));
  CAF_CHECK_EQUAL(o.at("temperature").as_double(), 0.5);
  CAF_CHECK_EQUAL(o.at("messages").at(1).at("content").as_array().size(), 2u);
}

CAF_TEST(an answer keeps its thinking with the signatures whole and streamed) {
  auto c = make_codec(test::make_provider(config::provider_type::anthropic, "sk-ant-x"));
  auto r = c->decode_chat(
      R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[)"
      R"({"type":"thinking","thinking":"Hm.","signature":"s1"},)"
      R"({"type":"redacted_thinking","data":"R1"},{"type":"text","text":"Ok."}],)"
      R"("stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":5}})");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->reasoning, "Hm.");
  CAF_CHECK_EQUAL(r->content, "Ok.");
  CAF_CHECK_EQUAL(r->thoughts, (std::vector<thought>{{"Hm.", "s1", {}}, {{}, {}, "R1"}}));
  const std::string stream =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\","
      "\"model\":\"claude-x\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
      "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Hm.\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"s1\"}}\n\n"
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
      "\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"R1\"}}\n\n"
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,"
      "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,"
      "\"delta\":{\"type\":\"text_delta\",\"text\":\"Ok.\"}}\n\n"
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
      "\"end_turn\"},\"usage\":{\"output_tokens\":5}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  auto dec = c->make_stream_decoder();
  std::vector<chunk> pieces;
  CAF_REQUIRE(dec->feed(stream, pieces));
  auto whole = dec->finish(pieces);
  CAF_REQUIRE(whole);
  CAF_CHECK_EQUAL(whole->thoughts, r->thoughts);
  CAF_CHECK_EQUAL(pieces, (std::vector<chunk>{
                              {"", "Hm."}, {"", "", "s1", ""}, {"", "", "", "R1"}, {"Ok.", ""}}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, stream), 0u);
}

CAF_TEST(an answer of too many thinking blocks is refused) {
  auto c = make_codec(test::make_provider(config::provider_type::anthropic, "sk-ant-x"));
  std::string blocks;
  for (int i = 0; i < 1025; ++i) // one past the bound (1024)
    blocks += std::string{i ? "," : ""} + R"({"type":"redacted_thinking","data":"x"})";
  auto r = c->decode_chat(R"({"id":"m","type":"message","content":[)" + blocks + "]}");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(test::name(r.error().code), "invalid_input");
}

CAF_TEST(a redacted block without its data is nothing) {
  // Found by fuzz/codec_stream: it came out as a piece of nothing.
  auto c = make_codec(test::make_provider(config::provider_type::anthropic, "sk-ant-x"));
  const std::string stream =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
      "\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"\"}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  auto dec = c->make_stream_decoder();
  std::vector<chunk> pieces;
  CAF_REQUIRE(dec->feed(stream, pieces));
  CAF_CHECK(pieces.empty());
  auto whole = dec->finish(pieces);
  CAF_REQUIRE(whole);
  CAF_CHECK(whole->thoughts.empty());
  auto body = c->decode_chat(
      R"({"id":"m","type":"message","content":[{"type":"redacted_thinking","data":""}]})");
  CAF_REQUIRE(body);
  CAF_CHECK(body->thoughts.empty());
}

CAF_TEST(an effort word stands for a budget when the client gave none) {
  auto with_effort = [](const std::string& effort, std::optional<int32_t> budget) {
    auto req = asking(want::on, style::budget, budget);
    req.max_tokens = 40000;
    req.thinking.effort = effort;
    return thinking_of(req);
  };
  CAF_CHECK_EQUAL(with_effort("low", std::nullopt), R"({"type":"enabled","budget_tokens":2048})");
  CAF_CHECK_EQUAL(with_effort("high", std::nullopt), R"({"type":"enabled","budget_tokens":16384})");
  CAF_CHECK_EQUAL(with_effort("max", std::nullopt),
                  R"({"type":"enabled","budget_tokens":20000})"); // half: the answer needs room
  CAF_CHECK_EQUAL(with_effort("high", 3000), R"({"type":"enabled","budget_tokens":3000})");
  CAF_CHECK_EQUAL(with_effort("", std::nullopt), R"({"type":"enabled","budget_tokens":20000})");
}

CAF_TEST(an OpenAI reasoning model gets the effort and other models do not ) {
  auto encode = [](const std::string& base, const std::string& model, const std::string& effort) {
    auto p = test::make_provider(config::provider_type::openai, "sk-x");
    p.base_url = base;
    chat_request req;
    req.model = model;
    req.messages = {{role::user, "hi"}};
    req.thinking.asked = want::on;
    req.thinking.effort = effort;
    auto r = make_codec(p)->chat(req, false);
    CAF_REQUIRE(r);
    auto o = json::parse(r->body).as_object();
    return o.contains("reasoning_effort") ? std::string{o.at("reasoning_effort").as_string()}
                                          : std::string{"-"};
  };
  const std::string official = "https://api.openai.com/v1";
  CAF_CHECK_EQUAL(encode(official, "o3", "high"), "high");
  // Only the words every reasoning model takes: minimal is low, xhigh and max are high.
  CAF_CHECK_EQUAL(encode(official, "o3", "minimal"), "low");
  CAF_CHECK_EQUAL(encode(official, "gpt-5", "xhigh"), "high");
  CAF_CHECK_EQUAL(encode(official, "gpt-5", "max"), "high"); // Anthropic's top word
  CAF_CHECK_EQUAL(encode(official, "gpt-5", ""), "-");
  CAF_CHECK_EQUAL(encode(official, "o3", "none"), "-"); // o3 cannot stop thinking
  CAF_CHECK_EQUAL(encode(official, "gpt-5-chat-latest", "high"), "-");
  CAF_CHECK_EQUAL(encode(official, "gpt-4o", "high"), "-");
  CAF_CHECK_EQUAL(encode("http://127.0.0.1:8000/v1", "o3", "high"), "-"); // a compatible server
}

CAF_TEST(only the final assistant turn of a tool loop must carry its thinking) {
  // An unsigned tool turn earlier on (a loop begun before thinking, or on another model) does
  // not keep thinking off once the conversation has moved past it.
  auto req = tool_loop(false);
  req.messages.push_back({role::assistant, "It is sunny."});
  req.messages.push_back({role::user, "and tomorrow?"});
  CAF_CHECK_EQUAL(thinking_of(req), R"({"type":"adaptive"})");
}

CAF_TEST(unsigned thinking in an answer is not kept to be sent back) {
  auto c = make_codec(test::make_provider(config::provider_type::anthropic, "sk-ant-x"));
  auto r = c->decode_chat(R"({"id":"m","type":"message","content":[)"
                          R"({"type":"thinking","thinking":"Hm."},{"type":"text","text":"Ok."}]})");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->reasoning, "Hm."); // still shown
  CAF_CHECK(r->thoughts.empty());
  const std::string stream =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}\n\n"
      "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
      "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Hm.\"}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  auto out = test::run_stream(*c, stream);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.reasoning, "Hm.");
  CAF_CHECK(out.response.thoughts.empty());
}
