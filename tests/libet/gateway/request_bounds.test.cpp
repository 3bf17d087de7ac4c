#define CAF_SUITE libet.gateway.request_bounds
#include "caf/test/unit_test.hpp"

#include <string>

#include "et/gateway/request.hpp"
#include "refusals.hpp"

// Every client input of a request is bounded, and a body of many small values is refused
// before it takes many times its size in memory.

using namespace et;
using namespace et::gateway;
using et::gateway::test::code;
using et::gateway::test::refused;

CAF_TEST(OpenAI bounds hold on every input) {
  limits small;
  small.max_body_bytes = 200;
  small.max_messages = 2;
  small.max_string_bytes = 10;
  small.max_model_bytes = 5;
  small.max_stop = 1;
  auto body = [](const std::string& model, const std::string& text, int n,
                 const std::string& extra = "") {
    std::string msgs;
    for (int i = 0; i < n; ++i)
      msgs += std::string{i ? "," : ""} + R"({"role":"user","content":")" + text + "\"}";
    return R"({"model":")" + model + R"(","messages":[)" + msgs + "]" + extra + "}";
  };
  CAF_CHECK(parse_openai_request(body("m", "hi", 2), small));
  CAF_CHECK_EQUAL(refused(parse_openai_request(body("m", "hi", 3), small)), "messages");
  CAF_CHECK_EQUAL(refused(parse_openai_request(body("m", std::string(11, 'a'), 1), small)),
                  "messages[0].content");
  CAF_CHECK_EQUAL(refused(parse_openai_request(body("toolong", "hi", 1), small)), "model");
  CAF_CHECK_EQUAL(refused(parse_openai_request(body("m", "hi", 1, R"(,"stop":["a","b"])"), small)),
                  "stop");
  auto big = parse_openai_request(body("m", std::string(300, 'a'), 1), small);
  CAF_CHECK(code(big) == errc::invalid_input);
  CAF_CHECK(!big && big.error().message.find("larger than 200 bytes") != std::string::npos);
  // Parts that together pass the string bound are refused too.
  auto parts = parse_openai_request(
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"123456"},
         {"type":"text","text":"123456"}]}]})",
      limits{.max_string_bytes = 10});
  CAF_CHECK_EQUAL(refused(parts), "messages[0].content");
  // Nesting deeper than a request ever is refused before it costs anything.
  std::string deep(100, '[');
  CAF_CHECK(code(parse_openai_request(R"({"model":"m","x":)" + deep)) == errc::invalid_input);
}

CAF_TEST(a body of many small values is refused before it takes many times its size) {
  // 4 MiB of [0,0,...] would parse to 32 MiB and more; a body of long strings parses.
  std::string zeros = "[0";
  for (int i = 0; i < (2 << 20); ++i)
    zeros += ",0";
  zeros += "]";
  auto flood = parse_openai_request(R"({"model":"m","x":)" + zeros + "}");
  CAF_REQUIRE(!flood);
  CAF_CHECK(code(flood) == errc::invalid_input);
  CAF_CHECK(flood.error().message.find("more JSON values") != std::string::npos);
  auto text = R"({"model":"m","messages":[{"role":"user","content":")" + std::string(3 << 20, 'a')
              + R"("}]})";
  CAF_CHECK(parse_openai_request(text));
}
