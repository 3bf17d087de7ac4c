#define CAF_SUITE libet.gateway.thinking
#include "caf/test/unit_test.hpp"

// What clients say about thinking: whether they see it, what goes on to the model (on or off,
// a budget, an effort), and thinking they send back.

#include <string>

#include "et/gateway/request.hpp"
#include "refusals.hpp"

using namespace et;
using namespace et::gateway;
using et::gateway::test::refused;

CAF_TEST(an Anthropic client sees thinking only when it turns thinking on) {
  auto shown = [](const std::string& thinking) {
    auto r = parse_anthropic_request(R"({"model":"m","max_tokens":2000,)"
                                     R"("messages":[{"role":"user","content":"x"}])"
                                     + thinking + "}");
    CAF_REQUIRE(r);
    return r->show_thinking;
  };
  CAF_CHECK(shown(R"(,"thinking":{"type":"adaptive"})"));
  CAF_CHECK(shown(R"(,"thinking":{"type":"enabled","budget_tokens":1024})"));
  CAF_CHECK(shown(R"(,"thinking":{"type":"enabled","display":"summarized"})"));
  // Omitted: shown all the same, since its text is what the signature signs.
  CAF_CHECK(shown(R"(,"thinking":{"type":"adaptive","display":"omitted"})"));
  CAF_CHECK(!shown(R"(,"thinking":{"type":"disabled"})"));
  CAF_CHECK(!shown(""));
  // What goes on to the model: on or off, and a budget only when the client gave one.
  auto asked = [](const std::string& thinking) {
    auto r = parse_anthropic_request(R"({"model":"m","max_tokens":2000,)"
                                     R"("messages":[{"role":"user","content":"x"}])"
                                     + thinking + "}");
    CAF_REQUIRE(r);
    return r->request.thinking;
  };
  using want = thinking_request::want;
  CAF_CHECK(asked("").asked == want::model_default);
  CAF_CHECK(asked(R"(,"thinking":{"type":"disabled"})").asked == want::off);
  auto adaptive = asked(R"(,"thinking":{"type":"adaptive","budget_tokens":0})");
  CAF_CHECK(adaptive.asked == want::on && !adaptive.budget_tokens);
  auto budget = asked(R"(,"thinking":{"type":"enabled","budget_tokens":1500})");
  CAF_CHECK(budget.asked == want::on && budget.budget_tokens == 1500);
  CAF_CHECK(budget.takes == thinking_style::unknown); // the alias says, not the client
}

CAF_TEST(an OpenAI client gets thinking and may send it back on assistant turns) {
  auto p = [](const std::string& extra) {
    return parse_openai_request(R"({"model":"m","messages":[{"role":"user","content":"x"},)"
                                R"({"role":"assistant","content":"y")"
                                + extra + R"(},{"role":"user","content":"z"}]})");
  };
  auto ok = p(R"(,"reasoning_content":"I thought")");
  CAF_REQUIRE(ok);
  CAF_CHECK(ok->show_thinking);
  CAF_REQUIRE_EQUAL(ok->request.messages.size(), 3u);
  CAF_CHECK_EQUAL(ok->request.messages[1].content, "y"); // the thinking is dropped
  CAF_CHECK_EQUAL(refused(p(R"(,"reasoning_content":null)")), "ok");
  CAF_CHECK_EQUAL(refused(p(R"(,"reasoning_content":7)")), "messages[1].reasoning_content");
  CAF_CHECK_EQUAL(
      refused(parse_openai_request(
          R"({"model":"m","messages":[{"role":"user","content":"x","reasoning_content":"a"}]})")),
      "messages[0].reasoning_content");
}

CAF_TEST(an OpenAI client may send signed thinking_blocks back as LiteLLM clients do) {
  auto p = [](const std::string& blocks, const std::string& who = "assistant") {
    return parse_openai_request(R"({"model":"m","messages":[{"role":"user","content":"x"},)"
                                R"({"role":")"
                                + who + R"(","content":"y","thinking_blocks":)" + blocks
                                + R"(},{"role":"user","content":"z"}]})");
  };
  auto ok = p(R"([{"type":"thinking","thinking":"a","signature":"s"},
      {"type":"redacted_thinking","data":"r"},{"type":"thinking","thinking":"unsigned"}])");
  CAF_REQUIRE(ok);
  // The signed and the redacted go on with the turn; the unsigned has nothing to check it by.
  CAF_CHECK_EQUAL(ok->request.messages[1].thoughts.size(), 2u);
  CAF_CHECK_EQUAL(ok->request.messages[1].thoughts[0].signature, "s");
  CAF_CHECK_EQUAL(ok->request.messages[1].thoughts[1].redacted, "r");
  CAF_CHECK_EQUAL(refused(p("null")), "ok");
  CAF_CHECK_EQUAL(refused(p("{}")), "messages[1].thinking_blocks");
  CAF_CHECK_EQUAL(refused(p("[7]")), "messages[1].thinking_blocks[0]");
  CAF_CHECK_EQUAL(refused(p(R"([{"type":"text","text":"a"}])")),
                  "messages[1].thinking_blocks[0].type");
  CAF_CHECK_EQUAL(refused(p(R"([{"type":"thinking","thinking":1}])")),
                  "messages[1].thinking_blocks[0].thinking");
  CAF_CHECK_EQUAL(refused(p(R"([{"type":"thinking","signature":"s","x":1}])")),
                  "messages[1].thinking_blocks[0].x");
  CAF_CHECK_EQUAL(refused(p(R"([{"type":"redacted_thinking","data":"r"}])", "user")),
                  "messages[1].thinking_blocks");
  std::string many = "[";
  for (int i = 0; i <= 1024; ++i)
    many += std::string{i ? "," : ""} + R"({"type":"redacted_thinking","data":"r"})";
  CAF_CHECK_EQUAL(refused(p(many + "]")), "messages[1].thinking_blocks");
  // And at most two a message's bound in the whole conversation.
  limits few;
  few.max_messages = 3;
  std::string seven = "[";
  for (int i = 0; i < 7; ++i)
    seven += std::string{i ? "," : ""} + R"({"type":"redacted_thinking","data":"r"})";
  auto body = R"({"model":"m","messages":[{"role":"user","content":"x"},)"
              R"({"role":"assistant","content":"y","thinking_blocks":)"
              + seven + "]}]}";
  CAF_CHECK_EQUAL(refused(parse_openai_request(body, few)), "messages[1].thinking_blocks");
  few.max_messages = 4;
  CAF_CHECK_EQUAL(refused(parse_openai_request(body, few)), "ok");
}

CAF_TEST(an OpenAI client may say how hard a model thinks) {
  auto p = [](const std::string& effort) {
    return parse_openai_request(R"({"model":"m","messages":[{"role":"user","content":"x"}],)"
                                R"("reasoning_effort":)"
                                + effort + "}");
  };
  using want = thinking_request::want;
  auto high = p(R"("high")");
  CAF_REQUIRE(high);
  CAF_CHECK(high->request.thinking.asked == want::on);
  CAF_CHECK_EQUAL(high->request.thinking.effort, "high");
  auto none = p(R"("none")");
  CAF_REQUIRE(none);
  CAF_CHECK(none->request.thinking.asked == want::off);
  for (auto word : {"minimal", "low", "medium", "xhigh"})
    CAF_CHECK_EQUAL(refused(p(std::string{"\""} + word + "\"")), "ok");
  CAF_CHECK_EQUAL(refused(p(R"("max")")), "reasoning_effort"); // Anthropic's word, not OpenAI's
  auto unsaid = p("null"); // as OpenAI documents it: the model's default
  CAF_REQUIRE(unsaid);
  CAF_CHECK(unsaid->request.thinking.asked == want::model_default);
  CAF_CHECK_EQUAL(refused(p("3")), "reasoning_effort");
}

CAF_TEST(the effort of an Anthropic client goes on with its request) {
  auto r = parse_anthropic_request(R"({"model":"m","max_tokens":2000,)"
                                   R"("messages":[{"role":"user","content":"x"}],)"
                                   R"("output_config":{"effort":"max"}})");
  CAF_REQUIRE(r);
  CAF_CHECK_EQUAL(r->request.thinking.effort, "max");
  CAF_CHECK(r->request.thinking.asked == thinking_request::want::model_default);
}
