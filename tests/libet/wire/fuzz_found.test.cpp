#define CAF_SUITE libet.wire.fuzz_found
#include "caf/test/unit_test.hpp"

// Inputs the fuzz targets (fuzz/codec_stream, codec_body, classify) crashed on or broke an
// invariant with, byte for byte, and what the codecs must make of them.

#include <chrono>
#include <string>

#include "et/wire/classify.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using namespace et::wire::test;

namespace {

bool non_negative(const usage& u) {
  return u.prompt_tokens >= 0 && u.completion_tokens >= 0 && u.cache_read_tokens >= 0
         && u.cache_write_tokens >= 0 && u.reasoning_tokens >= 0;
}

} // namespace

// fuzz/codec_stream: casting 1e300 to int64 is undefined (UBSan stopped here); on x86 it read
// as INT64_MIN, a negative token count. Now the whole response is malformed.
CAF_TEST(a token count past int64 is a malformed response) {
  auto c = make_codec(make_provider(config::provider_type::ollama));
  auto out =
      run_stream(*c, "{\"model\":\"q\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                     "\"done\":false}\n{\"model\":\"q\",\"message\":{\"content\":\"\"},"
                     "\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":1e300,"
                     "\"eval_count\":2}\n");
  CAF_REQUIRE(out.error.has_value());
  CAF_CHECK_EQUAL(name(out.error->code), "invalid_input");
  CAF_CHECK(non_negative(out.response.tokens));
}

// fuzz/codec_body (CI lane, 2026-12-03): a token count given as a string was quoted in the
// error message, so an upstream that echoed the key there put it in et's message. Now only
// the value's kind is named, in every codec.
CAF_TEST(a token count given as text is named by its kind and never quoted) {
  std::string key = "sk-FUZZSECRET";
  std::string body =
      "{\"id\":\"zzzzzzzzzzzzzzzzzz\",\"usage\":{\"prompt_tokens\":\"gpsk-FUZZSECRETtx\","
      "\"\":-6,\"com(l_tokens\":2}}";
  auto c = make_codec(make_provider(config::provider_type::openai, key));
  auto r = c->decode_chat(body);
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(name(r.error().code), "invalid_input");
  CAF_CHECK(r.error().message.find(key) == std::string::npos);
  CAF_CHECK(r.error().message.find("is a string") != std::string::npos);
  for (auto type : {config::provider_type::anthropic, config::provider_type::gemini,
                    config::provider_type::ollama}) {
    auto other = make_codec(make_provider(type, key))->decode_chat(body);
    if (!other)
      CAF_CHECK(other.error().message.find(key) == std::string::npos);
  }
}

CAF_TEST(negative and overflowing token counts are malformed responses) {
  auto openai = make_codec(make_provider(config::provider_type::openai));
  auto r = openai->decode_chat(
      R"({"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},)"
      R"("finish_reason":"stop"}],"usage":{"prompt_tokens":-3,"completion_tokens":2}})");
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK_EQUAL(name(r.error().code), "invalid_input");
  // Gemini adds two counts: INT64_MAX + INT64_MAX overflowed (negative on x86).
  auto gemini = make_codec(make_provider(config::provider_type::gemini));
  auto g = run_stream(
      *gemini, "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]},"
               "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":"
               "9223372036854775807,\"toolUsePromptTokenCount\":9223372036854775807}}\r\n\r\n");
  CAF_REQUIRE(g.error.has_value());
  CAF_CHECK_EQUAL(name(g.error->code), "invalid_input");
  CAF_CHECK(non_negative(g.response.tokens));
  // Anthropic: a negative output count in message_delta.
  auto anthropic = make_codec(make_provider(config::provider_type::anthropic));
  auto a = run_stream(
      *anthropic,
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":"
      "\"c\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\nevent: content_block_delta\n"
      "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
      "\"text\":\"Hi\"}}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":"
      "{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":-5}}\n\nevent: message_stop\n"
      "data: {\"type\":\"message_stop\"}\n\n");
  CAF_REQUIRE(a.error.has_value());
  CAF_CHECK_EQUAL(name(a.error->code), "invalid_input");
  CAF_CHECK(non_negative(a.response.tokens));
}

// fuzz/codec_body: a model listing with context_length -1 gave a context window of -1.
CAF_TEST(a context window is positive or unknown) {
  auto c = make_codec(make_provider(config::provider_type::openai));
  auto page = c->decode_models(R"({"data":[{"id":"gpt-x","context_length":-1},{"id":""}],)"
                               R"("has_more":false})");
  CAF_REQUIRE(page.has_value());
  CAF_REQUIRE_EQUAL(page->models.size(), 1u);
  CAF_CHECK_EQUAL(page->models[0].id, "gpt-x");
  CAF_CHECK(!page->models[0].context_window.has_value());
  auto gemini = make_codec(make_provider(config::provider_type::gemini));
  auto g = gemini->decode_models(
      R"({"models":[{"name":"models/gemini-x","inputTokenLimit":1e300}],"nextPageToken":"t"})");
  CAF_REQUIRE(g.has_value());
  CAF_REQUIRE_EQUAL(g->models.size(), 1u);
  CAF_CHECK(!g->models[0].context_window.has_value());
}

// fuzz/classify: "Retry-After: 1e300" made llround overflow into a negative delay.
CAF_TEST(an absurd retry delay is ignored and never negative) {
  auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1767225600}};
  CAF_CHECK(!parse_retry_after("1e300", now).has_value());
  http_reply reply{429,
                   {{"Retry-After", "1e300"}},
                   "{\"error\":{\"message\":\"bad key sk-FUZZSECRET\",\"type\":"
                   "\"invalid_request_error\",\"code\":\"invalid_api_key\"}}"};
  auto f = classify_reply(reply, "sk-FUZZSECRET", now);
  CAF_CHECK_EQUAL(f.retry_after.count(), 0);
  CAF_CHECK_EQUAL(f.message, "bad key ****");
  reply.headers = {{"retry-after-ms", "1e300"}};
  CAF_CHECK_EQUAL(classify_reply(reply, "sk-FUZZSECRET", now).retry_after.count(), 0);
  // Finite but past int64 once in nanoseconds (a cooldown is a clock plus the delay).
  CAF_CHECK(!parse_retry_after("31536000000", now).has_value()); // 1000 years
  // Sane values still count.
  CAF_CHECK_EQUAL(parse_retry_after("1.5", now)->count(), 1500);
}

// fuzz/classify seed date_9999: converting the year 9999 to system_clock's nanoseconds
// overflowed (UBSan). So far ahead is no instruction; a date long past is no wait.
CAF_TEST(an HTTP date outside the nanosecond clock range does not overflow) {
  auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1767225600}};
  CAF_CHECK(!parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now).has_value());
  http_reply reply{503, {{"Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"}}, "{}"};
  CAF_CHECK_EQUAL(classify_reply(reply, "sk-FUZZSECRET", now).retry_after.count(), 0);
  auto past = parse_retry_after("Mon, 01 Jan 1001 00:00:00 GMT", now);
  CAF_REQUIRE(past.has_value());
  CAF_CHECK_EQUAL(past->count(), 0);
  CAF_CHECK_EQUAL(parse_retry_after("Thu, 01 Jan 2026 00:00:07 GMT", now)->count(), 7000);
}

// fuzz/codec_stream (Gemini): a last event not followed by its blank line was
// decoded by finish() into a vector nobody read, so its text was in the
// answer but never streamed. The input, byte for byte (the NUL line is no
// delimiter, so the event is still open at the end of the stream).
CAF_TEST(the text of a last event without its blank line is streamed) {
  auto gemini = make_codec(make_provider(config::provider_type::gemini));
  std::string input = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]},"
                      "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":2233,"
                      "\"candidatesTokenCount\":1}}\r\n";
  input += '\0';
  input += "\r\n";
  auto out = run_stream(*gemini, input);
  CAF_REQUIRE(!out.error.has_value());
  CAF_CHECK_EQUAL(out.response.content, "Hi");
  CAF_CHECK_EQUAL(out.text, "Hi");
  CAF_CHECK_EQUAL(split_mismatches(*gemini, input), 0u);
  // The same for NDJSON: Ollama's last line without its newline.
  auto ollama = make_codec(make_provider(config::provider_type::ollama));
  auto last = run_stream(*ollama, "{\"model\":\"q\",\"message\":{\"content\":\"Hi\"},"
                                  "\"done\":true,\"done_reason\":\"stop\"}");
  CAF_REQUIRE(!last.error.has_value());
  CAF_CHECK_EQUAL(last.response.content, "Hi");
  CAF_CHECK_EQUAL(last.text, "Hi");
}
