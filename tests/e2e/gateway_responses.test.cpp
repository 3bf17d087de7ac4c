#define CAF_SUITE e2e.gateway_responses
#include "caf/test/unit_test.hpp"

// POST /v1/responses, the OpenAI API Codex speaks, through `et serve --http` to every upstream
// protocol: whole and streamed answers, a stream cut after its first text ending as failed
// (never completed), and refusals in OpenAI's error shape. The official SDK's view of the same
// is in gateway_sdk (which skips without node).

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

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_responses_tests, fixture)

CAF_TEST(every upstream protocol answers a responses client whole and streamed) {
  serve();
  for (const std::string model : {"gpt", "claude", "gem", "llama"}) {
    CAF_MESSAGE(model);
    auto whole = call("POST", "/v1/responses", body(model, false));
    CAF_REQUIRE_EQUAL(whole.status, 200);
    auto o = json::parse(whole.body);
    CAF_CHECK_EQUAL(std::string{o.at("status").as_string()}, "completed");
    CAF_CHECK_EQUAL(output_text(o), "hello gateway");
    CAF_CHECK_GREATER(o.at("usage").at("output_tokens").as_int64(), 0);
    CAF_CHECK(has(whole.header("x-et-answered-by"), model));
    auto streamed = call("POST", "/v1/responses", body(model, true));
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

CAF_TEST_FIXTURE_SCOPE_END()
