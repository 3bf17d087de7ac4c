#define CAF_SUITE libet.gateway.claude_code
#include "caf/test/unit_test.hpp"

// What Claude Code adds to its Anthropic requests (thinking, effort, context management, tool
// search, thinking in earlier turns): checked field by field and accepted, not passed on.

#include <string>

#include "et/gateway/request.hpp"
#include "refusals.hpp"

using namespace et;
using namespace et::gateway;
using et::gateway::test::refused;

CAF_TEST(Anthropic thinking as Claude Code sends it is checked and accepted) {
  auto p = [](const std::string& thinking) {
    return parse_anthropic_request(R"({"model":"m","max_tokens":2000,)"
                                   R"("messages":[{"role":"user","content":"x"}],"thinking":)"
                                   + thinking + "}");
  };
  CAF_CHECK_EQUAL(refused(p(R"({"budget_tokens":0,"type":"adaptive"})")), "ok");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"enabled","budget_tokens":1024})")), "ok");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"disabled"})")), "ok");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"adaptive","display":"omitted"})")), "ok");
  CAF_CHECK_EQUAL(refused(p(R"("on")")), "thinking");
  CAF_CHECK_EQUAL(refused(p(R"({"budget_tokens":8000})")), "thinking.type");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"deep"})")), "thinking.type");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"enabled","budget_tokens":-1})")), "thinking.budget_tokens");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"enabled","budget_tokens":1e300})")),
                  "thinking.budget_tokens");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"adaptive","display":"full"})")), "thinking.display");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"adaptive","extra":1})")), "thinking.extra");
}

CAF_TEST(Anthropic context management as Claude Code sends it is checked and accepted) {
  auto p = [](const std::string& cm) {
    return parse_anthropic_request(R"({"model":"m","max_tokens":50,)"
                                   R"("messages":[{"role":"user","content":"x"}],)"
                                   R"("context_management":)"
                                   + cm + "}");
  };
  CAF_CHECK_EQUAL(refused(p(R"({"edits":[{"type":"clear_tool_uses_20250919",
      "trigger":{"type":"input_tokens","value":30000},"keep":{"type":"tool_uses","value":3}},
      {"type":"clear_thinking_20251015","keep":"all"}]})")),
                  "ok");
  CAF_CHECK_EQUAL(refused(p("{}")), "ok");
  CAF_CHECK_EQUAL(refused(p(R"("x")")), "context_management");
  CAF_CHECK_EQUAL(refused(p(R"({"other":1})")), "context_management.other");
  CAF_CHECK_EQUAL(refused(p(R"({"edits":"x"})")), "context_management.edits");
  CAF_CHECK_EQUAL(refused(p(R"({"edits":[1]})")), "context_management.edits[0]");
  CAF_CHECK_EQUAL(refused(p(R"({"edits":[{"keep":"all"}]})")), "context_management.edits[0].type");
  std::string many = "[";
  for (int i = 0; i < 65; ++i)
    many += std::string{i ? "," : ""} + R"({"type":"clear_tool_uses_20250919"})";
  CAF_CHECK_EQUAL(refused(p(R"({"edits":)" + many + "]}")), "context_management.edits");
}

CAF_TEST(tools behind Anthropic tool search are offered directly) {
  auto p = [](const std::string& tools) {
    return parse_anthropic_request(R"({"model":"m","max_tokens":50,)"
                                   R"("messages":[{"role":"user","content":"x"}],"tools":)"
                                   + tools + "}");
  };
  auto r = p(R"([{"type":"tool_search_tool_regex_20251119","name":"tool_search_tool_regex"},
      {"name":"read","input_schema":{"type":"object"}},
      {"name":"mcp__db__query","input_schema":{"type":"object"},"defer_loading":true}])");
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->request.tools.size(), 2u);
  CAF_CHECK_EQUAL(r->request.tools[0].name, "read");
  CAF_CHECK_EQUAL(r->request.tools[1].name, "mcp__db__query");
  CAF_CHECK_EQUAL(refused(p(R"([{"name":"q","input_schema":{},"defer_loading":"yes"}])")),
                  "tools[0].defer_loading");
  CAF_CHECK_EQUAL(
      refused(p(R"([{"type":"tool_search_tool_bm25_20251119","name":"s","input_schema":{}}])")),
      "tools[0].input_schema");
  CAF_CHECK_EQUAL(refused(p(R"([{"type":"tool_search_tool_regex_20251119","name":{}}])")),
                  "tools[0].name");
  CAF_CHECK_EQUAL(refused(p(R"([{"type":"web_search_20250305","name":"web_search"}])")),
                  "tools[0].type");
}

CAF_TEST(signed thinking in earlier turns is kept to go back and unsigned thinking dropped) {
  auto r = parse_anthropic_request(R"({"model":"m","max_tokens":50,"messages":[
      {"role":"user","content":"x"},
      {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"c2ln"},
        {"type":"redacted_thinking","data":"ZGF0YQ=="},{"type":"thinking","thinking":"relayed",
        "signature":""},{"type":"text","text":"answer"}]},
      {"role":"user","content":"more"}]})");
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->request.messages.size(), 3u);
  CAF_CHECK_EQUAL(r->request.messages[1].content, "answer");
  CAF_CHECK_EQUAL(r->request.messages[1].thoughts,
                  (std::vector<thought>{{"hmm", "c2ln", {}}, {{}, {}, "ZGF0YQ=="}}));
  auto p = [](const std::string& turns) {
    return parse_anthropic_request(R"({"model":"m","max_tokens":50,"messages":)" + turns + "}");
  };
  // A turn of nothing but thinking goes nowhere (an empty assistant turn would be refused
  // upstream); a request of nothing else is refused here.
  auto thought = p(R"([{"role":"user","content":"x"},{"role":"assistant","content":[
      {"type":"thinking","thinking":"hmm","signature":"c2ln"}]},{"role":"user","content":"y"}])");
  CAF_REQUIRE(thought);
  CAF_REQUIRE_EQUAL(thought->request.messages.size(), 2u);
  CAF_CHECK(thought->request.messages[1].who == role::user);
  CAF_CHECK_EQUAL(refused(p(R"([{"role":"assistant","content":[
      {"type":"redacted_thinking","data":"ZGF0YQ=="}]}])")),
                  "messages");
  // Only the model's own turns think; a block with members of its own is not read past.
  CAF_CHECK_EQUAL(refused(p(R"([{"role":"user","content":[{"type":"thinking","thinking":"x"}]}])")),
                  "messages[0].content[0].type");
  CAF_CHECK_EQUAL(refused(p(R"([{"role":"user","content":"x"},{"role":"assistant","content":[
                  {"type":"thinking","thinking":"x","tool":"rm -rf"}]}])")),
                  "messages[1].content[0].tool");
  CAF_CHECK_EQUAL(refused(p(R"([{"role":"user","content":"x"},{"role":"assistant","content":[
                  {"type":"thinking","thinking":"x","signature":7}]}])")),
                  "messages[1].content[0].signature");
  CAF_CHECK_EQUAL(refused(p(R"([{"role":"user","content":"x"},{"role":"assistant","content":[
                  {"type":"redacted_thinking","data":"x","thinking":"y"}]}])")),
                  "messages[1].content[0].thinking");
}
