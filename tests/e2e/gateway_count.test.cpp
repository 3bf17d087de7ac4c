#define CAF_SUITE e2e.gateway_count
#include "caf/test/unit_test.hpp"

// POST /v1/messages/count_tokens, which Claude Code calls as a conversation grows: counted by
// the upstream of the model's first candidate that can count (Anthropic, Gemini), the same
// number the answer then bills as its input; models that cannot count are passed over or
// refused in Anthropic's error shape, never answered with a guess.

#include "gateway_fixture.hpp"

using namespace et::e2e::gw;

namespace {

const std::string prompt =
    R"("system":"be brief","messages":[{"role":"user","content":"count these five words"}])";

std::string count_body(const std::string& model, const std::string& extra = "") {
  return R"({"model":")" + model + R"(",)" + prompt + extra + "}";
}

int64_t input_tokens(const answer& a) {
  return json::parse(a.body).at("input_tokens").as_int64();
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_count_tests, fixture)

CAF_TEST(anthropic and gemini models count what their answer then bills) {
  serve();
  for (const std::string model : {"claude", "gem"}) {
    CAF_MESSAGE(model);
    auto counted = call("POST", "/v1/messages/count_tokens?beta=true", count_body(model),
                        {{"anthropic-version", "2023-06-01"}});
    CAF_REQUIRE_EQUAL(counted.status, 200);
    CAF_CHECK_EQUAL(json::parse(counted.body).as_object().size(), 1u); // input_tokens only
    auto n = input_tokens(counted);
    CAF_CHECK_EQUAL(n, 6); // the words of "be brief" and "count these five words"
    CAF_CHECK(has(counted.header("x-et-answered-by"), model));
    auto answered = anthropic(count_body(model, R"(,"max_tokens":64)"));
    CAF_REQUIRE_EQUAL(answered.status, 200);
    CAF_CHECK_EQUAL(json::parse(answered.body).at("usage").at("input_tokens").as_int64(), n);
  }
}

CAF_TEST(a role counts with its first candidate that can) {
  serve();
  // The pool's OpenAI member cannot count; whichever member is tried first, a Claude or
  // Gemini member counts.
  for (int i = 0; i < 3; ++i) {
    auto counted = call("POST", "/v1/messages/count_tokens", count_body("team"));
    CAF_REQUIRE_EQUAL(counted.status, 200);
    CAF_CHECK_EQUAL(input_tokens(counted), 6);
    auto by = counted.header("x-et-answered-by");
    CAF_CHECK(has(by, "claude") || has(by, "gem"));
  }
}

CAF_TEST(models that cannot count are refused in anthropic shape) {
  serve();
  for (const std::string model : {"gpt", "llama"}) {
    CAF_MESSAGE(model);
    auto refused = call("POST", "/v1/messages/count_tokens", count_body(model));
    CAF_CHECK_EQUAL(refused.status, 400);
    CAF_CHECK_EQUAL(field(refused.body, "error", "type"), "invalid_request_error");
    CAF_CHECK(has(field(refused.body, "error", "message"), "no token-counting endpoint"));
    CAF_CHECK(fixture::clean(refused.body));
  }
}

CAF_TEST(the settings of an answer are refused as anthropic refuses them) {
  serve();
  for (const std::string extra : {R"(,"max_tokens":64)", R"(,"stream":true)",
                                  R"(,"temperature":0.5)", R"(,"stop_sequences":["x"])"}) {
    auto refused = call("POST", "/v1/messages/count_tokens", count_body("claude", extra));
    CAF_CHECK_EQUAL(refused.status, 400);
    CAF_CHECK(has(field(refused.body, "error", "message"), "not accepted by count_tokens"));
  }
  auto no_model = call("POST", "/v1/messages/count_tokens", "{" + prompt + "}");
  CAF_CHECK_EQUAL(no_model.status, 400);
  auto unknown = call("POST", "/v1/messages/count_tokens", count_body("nosuchmodel"));
  CAF_CHECK_EQUAL(unknown.status, 404);
  CAF_CHECK_EQUAL(call("GET", "/v1/messages/count_tokens").status, 405);
}

CAF_TEST(an overloaded upstream fails the count with its status) {
  serve();
  auto busy = call("POST", "/v1/messages/count_tokens", count_body("busy"));
  CAF_CHECK_EQUAL(busy.status, 529);
  CAF_CHECK_EQUAL(field(busy.body, "error", "type"), "overloaded_error");
  CAF_CHECK(fixture::clean(busy.body));
  // One that cannot be reached is named, its address only in the gateway's log.
  auto gone = call("POST", "/v1/messages/count_tokens", count_body("gonea"));
  CAF_CHECK_EQUAL(gone.status, 502);
  CAF_CHECK(has(gone.body, "<provider gonea>"));
  CAF_CHECK(!has(gone.body, "127.0.0.1"));
  CAF_CHECK(has(gateway->err(), "127.0.0.1:2"));
}

CAF_TEST_FIXTURE_SCOPE_END()
