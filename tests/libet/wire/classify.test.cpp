#define CAF_SUITE libet.wire.classify
#include "caf/test/unit_test.hpp"

#include <chrono>

#include "et/wire/classify.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using et::wire::test::name;
using std::chrono::milliseconds;

namespace {

const std::string key = "sk-live-SECRET-abcdefghijklmnop";

failure classify_body(int status, std::string body, header_list headers = {}) {
  return classify_reply(http_reply{status, std::move(headers), std::move(body)}, key);
}

// 2015-10-21 07:28:00 UTC
std::chrono::system_clock::time_point at_0728() {
  using namespace std::chrono;
  return sys_days{year{2015} / October / 21} + hours{7} + minutes{28};
}

} // namespace

CAF_TEST(retry after in seconds fractions and http dates) {
  CAF_CHECK_EQUAL(parse_retry_after("16", at_0728())->count(), 16000);
  CAF_CHECK_EQUAL(parse_retry_after(" 1.5 ", at_0728())->count(), 1500);
  CAF_CHECK_EQUAL(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", at_0728())->count(), 30000);
  CAF_CHECK_EQUAL(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", at_0728())->count(), 0);
  CAF_CHECK(!parse_retry_after("soon", at_0728()));
  CAF_CHECK(!parse_retry_after("", at_0728()));
}

CAF_TEST(a 429 with a retry - after header is rate limited after that delay) {
  auto f = classify_reply(http_reply{429,
                                     {{"Retry-After", "Wed, 21 Oct 2015 07:28:05 GMT"}},
                                     R"({"error":{"message":"slow down","type":"requests"}})"},
                          key, at_0728());
  CAF_CHECK_EQUAL(name(f.code), "rate_limited");
  CAF_CHECK_EQUAL(f.retry_after.count(), 5000);
  CAF_CHECK_EQUAL(f.message, "slow down");
  CAF_CHECK_EQUAL(f.http_status, 429);
}

CAF_TEST(retry - after - ms wins over retry - after) {
  auto f = classify_body(429, "{}", {{"retry-after", "3"}, {"retry-after-ms", "1250"}});
  CAF_CHECK_EQUAL(f.retry_after.count(), 1250);
}

CAF_TEST(anthropic 529 and overloaded_error are overloaded) {
  CAF_CHECK_EQUAL(name(classify_body(529, "").code), "overloaded");
  auto f = classify_body(
      500, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  CAF_CHECK_EQUAL(name(f.code), "overloaded");
  CAF_CHECK_EQUAL(f.message, "Overloaded");
}

CAF_TEST(a 503 is overloaded and other 5xx are server errors) {
  CAF_CHECK_EQUAL(name(classify_body(503, "Service Unavailable").code), "overloaded");
  CAF_CHECK_EQUAL(name(classify_body(500, "").code), "server_error");
  CAF_CHECK_EQUAL(name(classify_body(502, "<html>Bad gateway</html>").code), "server_error");
  CAF_CHECK_EQUAL(classify_body(502, "<html>Bad gateway</html>").message,
                  "<html>Bad gateway</html>");
}

CAF_TEST(context overflow is recognised in every provider wording) {
  auto openai = classify_body(
      400,
      R"({"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})");
  CAF_CHECK_EQUAL(name(openai.code), "context_overflow");
  auto anthropic = classify_body(
      400,
      R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}})");
  CAF_CHECK_EQUAL(name(anthropic.code), "context_overflow");
  auto gemini = classify_body(
      400,
      R"({"error":{"code":400,"message":"The input token count (3475108) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}})");
  CAF_CHECK_EQUAL(name(gemini.code), "context_overflow");
  auto ollama_cloud = classify_body(
      400,
      R"({"error":{"message":"prompt too long; exceeded max context length by 1119046 tokens","type":"invalid_request_error","param":null,"code":null}})");
  CAF_CHECK_EQUAL(name(ollama_cloud.code), "context_overflow");
  auto llama_cpp = classify_body(
      400,
      R"({"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}})");
  CAF_CHECK_EQUAL(name(llama_cpp.code), "context_overflow");
  auto ollama_native =
      classify_body(400, R"({"error":"input length exceeds maximum context length"})");
  CAF_CHECK_EQUAL(name(ollama_native.code), "context_overflow");
}

CAF_TEST(auth failures include the gemini 400 api key invalid) {
  CAF_CHECK_EQUAL(name(classify_body(401, "").code), "auth");
  CAF_CHECK_EQUAL(name(classify_body(403, R"({"error":"forbidden"})").code), "auth");
  auto gemini = classify_body(
      400,
      R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}})");
  CAF_CHECK_EQUAL(name(gemini.code), "auth");
  auto quota = classify_body(
      429,
      R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})");
  CAF_CHECK_EQUAL(name(quota.code), "auth");
}

CAF_TEST(other 4xx are bad requests and 404 is not found) {
  CAF_CHECK_EQUAL(name(classify_body(400, R"({"error":{"message":"bad"}})").code), "bad_request");
  CAF_CHECK_EQUAL(name(classify_body(422, "unprocessable").code), "bad_request");
  auto nf = classify_body(404, R"({"error":"model 'llama3' not found, try pulling it first"})");
  CAF_CHECK_EQUAL(name(nf.code), "not_found");
  CAF_CHECK_EQUAL(nf.message, "model 'llama3' not found, try pulling it first");
  CAF_CHECK_EQUAL(name(classify_body(408, "").code), "timeout");
}

CAF_TEST(gemini retry info gives the delay when no header does) {
  auto f = classify_body(
      429,
      R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34.4s"}]}})");
  CAF_CHECK_EQUAL(name(f.code), "rate_limited");
  CAF_CHECK_EQUAL(f.retry_after.count(), 34400);
}

CAF_TEST(the api key never appears in a failure message) {
  auto f =
      classify_body(401, R"({"error":{"message":"Incorrect API key provided: )" + key
                             + R"(. You can find your API key at ...","code":"invalid_api_key"}})");
  CAF_CHECK_EQUAL(name(f.code), "auth");
  CAF_CHECK(f.message.find(key) == std::string::npos);
  CAF_CHECK(f.message.find("Incorrect API key provided: ****") != std::string::npos);
  auto raw = classify_body(500, "upstream said " + key);
  CAF_CHECK(raw.message.find(key) == std::string::npos);
  auto basic =
      classify_reply(http_reply{401, {}, "bad password hunter2hunter2"}, "alice:hunter2hunter2");
  CAF_CHECK(basic.message.find("hunter2hunter2") == std::string::npos);
}

CAF_TEST(an empty body still gives a message naming the status) {
  auto f = classify_body(500, "");
  CAF_CHECK_EQUAL(f.message, "HTTP 500 without an error message");
}

CAF_TEST(mid stream errors are classified into the same classes) {
  auto over = classify_stream_error(
      R"({"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"} })",
      key);
  CAF_CHECK_EQUAL(name(over.code), "overloaded");
  CAF_CHECK_EQUAL(over.http_status, 0);
  auto rate = classify_stream_error(
      R"({"type":"error","error":{"type":"rate_limit_error","message":"slow"}})", key);
  CAF_CHECK_EQUAL(name(rate.code), "rate_limited");
  auto gemini = classify_stream_error(
      R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})", key);
  CAF_CHECK_EQUAL(name(gemini.code), "overloaded");
  auto ollama =
      classify_stream_error(R"({"error":"an error was encountered while running the model"})", key);
  CAF_CHECK_EQUAL(name(ollama.code), "server_error");
  CAF_CHECK_EQUAL(ollama.message, "an error was encountered while running the model");
  auto invalid = classify_stream_error(
      R"({"type":"error","error":{"type":"invalid_request_error","message":"bad"}})", key);
  CAF_CHECK_EQUAL(name(invalid.code), "bad_request");
}

CAF_TEST(find_header ignores case) {
  header_list h{{"Content-Type", "a"}, {"retry-after", "5"}};
  CAF_CHECK_EQUAL(std::string{*find_header(h, "Retry-After")}, "5");
  CAF_CHECK(!find_header(h, "x-missing"));
}

// -- recorded replies ------------------------------------------------------

namespace {

struct recorded {
  const char* body;
  const char* meta; // "" when the fixture has none
  int status;       // when there is no meta file
  const char* code;
  int64_t retry_ms;
};

} // namespace

CAF_TEST(recorded error replies of all providers are classified) {
  if (test::fixtures_dir().empty()) {
    CAF_MESSAGE("skipped: no fixtures");
    return;
  }
  const recorded cases[] = {
      {"openai/azure_error_429_retry_after.json", "openai/azure_error_429_retry_after.meta.json", 0,
       "rate_limited", 60000},
      {"openai/error_400_context_length_exceeded.json", "", 400, "context_overflow", 0},
      {"openai/error_400_unsupported_parameter.json", "", 400, "bad_request", 0},
      {"openai/error_401_invalid_api_key.json", "openai/error_401_invalid_api_key.meta.json", 0,
       "auth", 0},
      {"openai/error_429_rate_limit_exceeded_tpm.json",
       "openai/error_429_rate_limit_exceeded_tpm.meta.json", 0, "rate_limited", 0},
      {"openai/error_500_server_error.json", "", 500, "server_error", 0},
      {"anthropic/error_400_prompt_too_long.json", "anthropic/error_400_prompt_too_long.meta.json",
       0, "context_overflow", 0},
      {"anthropic/error_401_authentication_error.json",
       "anthropic/error_401_authentication_error.meta.json", 0, "auth", 0},
      {"anthropic/error_429_rate_limit_error.json", "", 429, "rate_limited", 0},
      {"anthropic/error_500_api_error.json", "", 500, "server_error", 0},
      {"anthropic/error_529_overloaded_error.json",
       "anthropic/error_529_overloaded_error.meta.json", 0, "overloaded", 0},
      {"gemini/error_400_api_key_invalid.json", "gemini/error_400_api_key_invalid.meta.json", 0,
       "auth", 0},
      {"gemini/error_400_input_token_count_exceeded.json", "", 400, "context_overflow", 0},
      {"gemini/error_404_model_not_found.json", "gemini/error_404_model_not_found.meta.json", 0,
       "not_found", 0},
      {"gemini/error_429_resource_exhausted.json", "gemini/error_429_resource_exhausted.meta.json",
       0, "rate_limited", 48000},
      {"gemini/error_429_retry_info_vercel.json", "", 429, "rate_limited", 34400},
      {"gemini/error_500_internal.json", "", 500, "server_error", 0},
      {"gemini/error_503_unavailable.json", "", 503, "overloaded", 0},
      {"ollama/error_404_model_not_found.json", "", 404, "not_found", 0},
      {"ollama/error_generic.json", "", 500, "server_error", 0},
      {"ollama/openai_compat_error_400_context_cloud.json",
       "ollama/openai_compat_error_400_context_cloud.meta.json", 0, "context_overflow", 0},
      {"ollama/openai_compat_error_401_cloud.json",
       "ollama/openai_compat_error_401_cloud.meta.json", 0, "auth", 0},
  };
  for (const auto& c : cases) {
    http_reply reply;
    if (*c.meta != '\0') {
      auto r = test::read_reply(c.body, c.meta);
      CAF_REQUIRE(r.has_value());
      reply = std::move(*r);
    } else {
      auto body = test::read_fixture(c.body);
      CAF_REQUIRE(body.has_value());
      reply = http_reply{c.status, {}, std::move(*body)};
    }
    auto f = classify_reply(reply, "invalid-key");
    CAF_MESSAGE(c.body << " -> " << to_string(f));
    CAF_CHECK_EQUAL(name(f.code), c.code);
    CAF_CHECK_EQUAL(f.retry_after.count(), c.retry_ms);
    CAF_CHECK_EQUAL(f.http_status, reply.status);
    CAF_CHECK(!f.message.empty());
    // The recorded OpenAI 401 echoes the key it was sent ("invalid-key").
    CAF_CHECK(f.message.find("invalid-key") == std::string::npos);
  }
}

CAF_TEST(recorded messages are kept verbatim) {
  ET_FIXTURE(body, "anthropic/error_400_prompt_too_long.json");
  auto f = classify_reply(http_reply{400, {}, body}, key);
  CAF_CHECK_EQUAL(f.message, "prompt is too long: 3333404 tokens > 200000 maximum");
}

CAF_TEST(a recorded anthropic mid stream overloaded event is overloaded) {
  ET_FIXTURE(payload, "anthropic/stream_error_event_overloaded.data.json");
  auto f = classify_stream_error(payload, key);
  CAF_CHECK_EQUAL(name(f.code), "overloaded");
  CAF_CHECK_EQUAL(f.message, "Overloaded");
}

CAF_TEST(an upstream message is kept as one bounded line) {
  // A message of megabytes, or one with lines and escapes, would go on into logs, journals,
  // error bodies and the summary of every failed candidate.
  auto huge = classify_body(500, R"({"error":{"message":")" + std::string(20'000, 'x') + "\"}}");
  CAF_CHECK_EQUAL(huge.message.size(), max_message_bytes + 3);
  CAF_CHECK(huge.message.ends_with("..."));
  // A body past what is read for an error is not parsed whole: its first bytes are the message.
  auto flood = classify_body(500, R"({"error":{"message":")" + std::string(1 << 20, 'x') + "\"}}");
  CAF_CHECK_EQUAL(name(flood.code), "server_error");
  CAF_CHECK_LESS_OR_EQUAL(flood.message.size(), max_message_bytes + 3);
  auto lines = classify_body(400, R"({"error":{"message":"bad\nFAKE LOG LINE\u001b[2J"}})");
  CAF_CHECK_EQUAL(lines.message, "bad FAKE LOG LINE [2J");
  auto stream = classify_stream_error(R"({"error":{"message":"a\r\nb"}})", key);
  CAF_CHECK_EQUAL(stream.message, "a  b");
}
