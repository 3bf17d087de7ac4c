#define CAF_SUITE libet.wire.hostile
#include "caf/test/unit_test.hpp"

// Upstream bytes are hostile until proven otherwise: usage counts that would
// corrupt spend sums, and tool-call streams that would eat the I/O thread,
// are typed failures in every codec, whole or streamed.

#include <string>
#include <vector>

#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using et::wire::test::name;

namespace {

std::string with(std::string_view tmpl, std::string_view value) {
  std::string out{tmpl};
  for (auto pos = out.find('V'); pos != std::string::npos; pos = out.find('V', pos + value.size()))
    out.replace(pos, 1, value);
  return out;
}

// One answer per protocol whose completion count is V, whole and streamed.
struct shapes {
  config::provider_type type;
  std::string_view whole;
  std::string_view stream;
};

const shapes all_shapes[] = {
    {config::provider_type::openai,
     R"({"id":"x","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},)"
     R"("finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":V}})",
     "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n"
     "data: {\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":V}}"
     "\n\ndata: [DONE]\n\n"},
    {config::provider_type::anthropic,
     R"({"id":"m1","type":"message","model":"c","content":[{"type":"text","text":"hi"}],)"
     R"("stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":V}})",
     "data: {\"type\":\"message_start\",\"message\":{\"id\":\"m1\",\"model\":\"c\",\"usage\":"
     "{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
     "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
     "\"text\":\"\"}}\n\n"
     "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
     "\"text\":\"hi\"}}\n\n"
     "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":"
     "{\"output_tokens\":V}}\n\n"
     "data: {\"type\":\"message_stop\"}\n\n"},
    {config::provider_type::gemini,
     R"({"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}],)"
     R"("usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":V}})",
     "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"}]}}]}\n\n"
     "data: "
     "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"STOP\"}],"
     "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":V}}\n\n"},
    {config::provider_type::ollama,
     R"({"model":"m","message":{"role":"assistant","content":"hi"},"done":true,)"
     R"("prompt_eval_count":5,"eval_count":V})",
     "{\"model\":\"m\",\"message\":{\"content\":\"hi\"},\"done\":false}\n"
     "{\"model\":\"m\",\"message\":{\"content\":\"\"},\"done\":true,\"prompt_eval_count\":5,"
     "\"eval_count\":V}\n"},
};

// Negative (the -$99,999,999,999 cost), past 10^12, past int64, fractional,
// and not a number at all.
const char* hostile_counts[] = {"-5",
                                "-99999999999999",
                                "1000000000001",
                                "1e30",
                                "9223372036854775807",
                                "18446744073709551615",
                                "2.5",
                                "\"12\"",
                                "true",
                                "[1]",
                                "{}"};

std::optional<failure> stream_error(const codec& c, std::string_view bytes) {
  auto out = test::run_stream(c, bytes, {});
  return out.error;
}

} // namespace

CAF_TEST(plausible usage decodes in every codec whole and streamed) {
  for (const auto& s : all_shapes) {
    auto c = make_codec(test::make_provider(s.type));
    CAF_MESSAGE(config::to_string(s.type));
    for (auto value : {"7", "7.0"}) {
      auto whole = c->decode_chat(with(s.whole, value));
      CAF_REQUIRE(whole.has_value());
      CAF_CHECK_EQUAL(whole->tokens.completion_tokens, 7);
      auto streamed = test::run_stream(*c, with(s.stream, value), {});
      CAF_REQUIRE(!streamed.error.has_value());
      CAF_CHECK_EQUAL(streamed.response.tokens.completion_tokens, 7);
    }
    auto absent = c->decode_chat(with(s.whole, "null"));
    CAF_REQUIRE(absent.has_value());
    CAF_CHECK_EQUAL(absent->tokens.completion_tokens, 0);
  }
}

CAF_TEST(impossible usage is a malformed response in every codec whole and streamed) {
  for (const auto& s : all_shapes) {
    auto c = make_codec(test::make_provider(s.type));
    for (auto value : hostile_counts) {
      CAF_MESSAGE(config::to_string(s.type) << " with " << value);
      auto whole = c->decode_chat(with(s.whole, value));
      CAF_REQUIRE(!whole.has_value());
      CAF_CHECK_EQUAL(name(whole.error().code), "invalid_input");
      CAF_CHECK(whole.error().message.find("token count") != std::string::npos);
      auto err = stream_error(*c, with(s.stream, value));
      CAF_REQUIRE(err.has_value());
      CAF_CHECK_EQUAL(name(err->code), "invalid_input");
    }
  }
}

CAF_TEST(every other usage field is checked too) {
  auto openai = make_codec(test::make_provider(config::provider_type::openai));
  for (auto field : {R"("prompt_tokens":-1)", R"("prompt_tokens_details":{"cached_tokens":-1})",
                     R"("prompt_cache_hit_tokens":1e20)",
                     R"("completion_tokens_details":{"reasoning_tokens":"9"})"}) {
    auto body = std::string{R"({"id":"x","choices":[{"index":0,"message":{"content":"hi"}}],)"}
                + R"("usage":{)" + field + "}}";
    auto r = openai->decode_chat(body);
    CAF_CHECK(!r.has_value());
  }
  auto anthropic = make_codec(test::make_provider(config::provider_type::anthropic));
  for (auto field : {R"("input_tokens":-1)", R"("cache_read_input_tokens":1e13)",
                     R"("cache_creation_input_tokens":0.5)"}) {
    auto body = std::string{R"({"type":"message","content":[],"usage":{)"} + field + "}}";
    CAF_CHECK(!anthropic->decode_chat(body).has_value());
  }
  auto gemini = make_codec(test::make_provider(config::provider_type::gemini));
  for (auto field : {R"("promptTokenCount":-1)", R"("toolUsePromptTokenCount":1e13)",
                     R"("thoughtsTokenCount":"3")", R"("cachedContentTokenCount":-2)"}) {
    auto body = std::string{R"({"candidates":[],"usageMetadata":{)"} + field + "}}";
    CAF_CHECK(!gemini->decode_chat(body).has_value());
  }
  auto ollama = make_codec(test::make_provider(config::provider_type::ollama));
  CAF_CHECK(!ollama->decode_chat(R"({"done":true,"prompt_eval_count":-3})").has_value());
}

// 100 calls of 1000 interleaved argument pieces each: with a scan of the
// calls per delta this is 10^7 steps, with an index 10^5.
CAF_TEST(a long openai tool call stream assembles every call) {
  constexpr int calls = 100;
  constexpr int pieces = 1000;
  std::string bytes;
  for (int i = 0; i < calls; ++i)
    bytes += "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":"
             + std::to_string(i) + ",\"id\":\"call_" + std::to_string(i)
             + "\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}\n\n";
  for (int p = 0; p < pieces; ++p)
    for (int i = 0; i < calls; ++i)
      bytes += "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":"
               + std::to_string(i) + ",\"function\":{\"arguments\":\"" + std::to_string(i % 10)
               + "\"}}]}}]}\n\n";
  bytes += "data: [DONE]\n\n";
  auto c = make_codec(test::make_provider(config::provider_type::openai));
  auto out = test::run_stream(*c, bytes, {});
  CAF_REQUIRE(!out.error.has_value());
  CAF_REQUIRE_EQUAL(out.response.tool_calls.size(), static_cast<size_t>(calls));
  for (int i = 0; i < calls; ++i) {
    const auto& call = out.response.tool_calls[static_cast<size_t>(i)];
    CAF_CHECK_EQUAL(call.id, "call_" + std::to_string(i));
    CAF_CHECK_EQUAL(call.arguments, std::string(pieces, static_cast<char>('0' + i % 10)));
  }
}

CAF_TEST(an openai stream with too many tool calls fails typed) {
  std::string bytes;
  for (int i = 0; i < 1025; ++i)
    bytes += "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":"
             + std::to_string(i) + ",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}\n\n";
  bytes += "data: [DONE]\n\n";
  auto c = make_codec(test::make_provider(config::provider_type::openai));
  auto err = stream_error(*c, bytes);
  CAF_REQUIRE(err.has_value());
  CAF_CHECK_EQUAL(name(err->code), "invalid_input");
  CAF_CHECK(err->message.find("tool calls") != std::string::npos);
}

CAF_TEST(tool arguments past the size limit fail typed in openai and anthropic streams) {
  std::string mib(1024 * 1024, 'x');
  std::string openai = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                       "\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}\n\n";
  std::string anthropic = "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                          "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\",\"input\":{}}}\n\n";
  for (int i = 0; i < 17; ++i) {
    openai += "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
              "\"function\":{\"arguments\":\""
              + mib + "\"}}]}}]}\n\n";
    anthropic += "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                 "\"input_json_delta\",\"partial_json\":\""
                 + mib + "\"}}\n\n";
  }
  openai += "data: [DONE]\n\n";
  anthropic += "data: {\"type\":\"message_stop\"}\n\n";
  auto o = make_codec(test::make_provider(config::provider_type::openai));
  auto a = make_codec(test::make_provider(config::provider_type::anthropic));
  for (auto err : {stream_error(*o, openai), stream_error(*a, anthropic)}) {
    CAF_REQUIRE(err.has_value());
    CAF_CHECK_EQUAL(name(err->code), "invalid_input");
    CAF_CHECK(err->message.find("MiB") != std::string::npos);
  }
}

CAF_TEST(whole answers with too many tool calls fail typed in every codec) {
  auto repeat = [](std::string_view one, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
      out += (i ? "," : "") + std::string{one};
    return out;
  };
  const int n = 1025;
  auto check = [](config::provider_type type, const std::string& body) {
    auto c = make_codec(test::make_provider(type));
    auto r = c->decode_chat(body);
    CAF_REQUIRE(!r.has_value());
    CAF_CHECK_EQUAL(name(r.error().code), "invalid_input");
  };
  check(config::provider_type::openai,
        R"({"choices":[{"index":0,"message":{"tool_calls":[)"
            + repeat(R"({"id":"a","function":{"name":"f","arguments":"{}"}})", n) + "]}}]}");
  check(config::provider_type::anthropic,
        R"({"type":"message","content":[)"
            + repeat(R"({"type":"tool_use","id":"t","name":"f","input":{}})", n) + "]}");
  check(config::provider_type::gemini, R"({"candidates":[{"content":{"parts":[)"
                                           + repeat(R"({"functionCall":{"name":"f","args":{}}})", n)
                                           + R"(]},"finishReason":"STOP"}]})");
  check(config::provider_type::ollama,
        R"({"done":true,"message":{"tool_calls":[)"
            + repeat(R"({"function":{"name":"f","arguments":{}}})", n) + "]}}");
  // And an anthropic stream: a tool_use block per event.
  std::string bytes;
  for (int i = 0; i < n; ++i)
    bytes += "data: {\"type\":\"content_block_start\",\"index\":" + std::to_string(i)
             + ",\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"f\"}}\n\n";
  bytes += "data: {\"type\":\"message_stop\"}\n\n";
  auto a = make_codec(test::make_provider(config::provider_type::anthropic));
  auto err = stream_error(*a, bytes);
  CAF_REQUIRE(err.has_value());
  CAF_CHECK_EQUAL(name(err->code), "invalid_input");
}

CAF_TEST(request bodies are valid utf8 whatever bytes the conversation holds) {
  // A Latin-1 project file in the context, verify output cut mid-character.
  chat_request req;
  req.model = "m";
  req.messages.push_back(message{et::role::system, "context: caf\xe9", {}, {}, {}});
  req.messages.push_back(message{et::role::user, "fix it: \xe2\x82", {}, {}, {}});
  for (auto type : {config::provider_type::openai, config::provider_type::anthropic,
                    config::provider_type::gemini, config::provider_type::ollama}) {
    auto c = make_codec(test::make_provider(type));
    auto http = c->chat(req, false);
    CAF_REQUIRE(http);
    boost::system::error_code ec;
    (void)boost::json::parse(http->body, ec); // strict: refuses bytes that are not UTF-8
    if (ec)
      CAF_ERROR("provider type " << static_cast<int>(type) << ": " << ec.message());
    CAF_CHECK_NOT_EQUAL(http->body.find("caf\xef\xbf\xbd"), std::string::npos);
  }
}

CAF_TEST(a whole answer without its answer is malformed not an empty success) {
  for (auto type : {config::provider_type::anthropic, config::provider_type::gemini,
                    config::provider_type::ollama}) {
    CAF_MESSAGE(config::to_string(type));
    auto c = make_codec(test::make_provider(type));
    auto r = c->decode_chat("{}");
    CAF_REQUIRE(!r);
    CAF_CHECK_EQUAL(r.error().code, errc::invalid_input);
  }
  auto gemini = make_codec(test::make_provider(config::provider_type::gemini));
  // "error": null says there is none.
  auto fine = gemini->decode_chat(R"({"error":null,"candidates":[{"content":{"parts":)"
                                  R"([{"text":"hi"}]},"finishReason":"STOP"}]})");
  CAF_REQUIRE(fine);
  CAF_CHECK_EQUAL(fine->content, "hi");
  auto ollama = make_codec(test::make_provider(config::provider_type::ollama));
  auto answered = ollama->decode_chat(R"({"error":null,"model":"m","message":{"role":)"
                                      R"("assistant","content":"hi"},"done":true})");
  CAF_REQUIRE(answered);
  CAF_CHECK_EQUAL(answered->content, "hi");
}

CAF_TEST(a vllm error object is a typed error) {
  auto c = make_codec(test::make_provider(config::provider_type::openai));
  auto r = c->decode_chat(R"({"object":"error","message":"maximum context length is 4096 )"
                          R"(tokens","type":"BadRequestError","code":400})");
  CAF_REQUIRE(!r);
  CAF_CHECK_EQUAL(r.error().code, errc::context_overflow);
}
