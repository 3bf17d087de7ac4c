#define CAF_SUITE libet.wire.anthropic_recorded
#include "caf/test/unit_test.hpp"

#include "wire_test_support.hpp"

// Anthropic's codec against responses recorded from the real API and from LiteLLM (the
// fixtures folder, see its SOURCES.md); each test skips when the folder is absent.

using namespace et;
using namespace et::wire;
using et::wire::test::name;

namespace {

config::provider anthropic() {
  return test::make_provider(config::provider_type::anthropic, "sk-ant-test-0123456789abcdef");
}

} // namespace

CAF_TEST(a recorded message decodes text usage and stop reason) {
  ET_FIXTURE(body, "anthropic/message.json");
  auto r = make_codec(anthropic())->decode_chat(body);
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->content, "2 + 2 = 4");
  CAF_CHECK_EQUAL(r->model, "claude-haiku-4-5-20251001");
  CAF_CHECK_EQUAL(to_string(r->finish), "stop");
  CAF_CHECK(r->tokens == (usage{16, 13, 0, 0, 0}));
}

CAF_TEST(a recorded tool use message decodes the call) {
  ET_FIXTURE(body, "anthropic/message_tool_use.json");
  auto r = make_codec(anthropic())->decode_chat(body);
  CAF_REQUIRE(r.has_value());
  CAF_REQUIRE_EQUAL(r->tool_calls.size(), 1u);
  CAF_CHECK(r->tool_calls[0]
            == (tool_call{"toolu_01Ay5KzhmQYMK53svGLaAxfc", "weather",
                          R"({"latitude":"52.5200","longitude":"13.4050"})"}));
  CAF_CHECK_EQUAL(to_string(r->finish), "tool_calls");
  CAF_CHECK(r->tokens == (usage{633, 75, 0, 0, 0}));
}

CAF_TEST(a recorded stream with padded data lines decodes in every split) {
  ET_FIXTURE(bytes, "anthropic/message_stream.sse");
  auto c = make_codec(anthropic());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.response.content, "1\n2\n3");
  CAF_CHECK_EQUAL(out.text, "1\n2\n3");
  CAF_CHECK_EQUAL(out.response.id, "msg_011CeCGmCzjcUtmtEmMdEiM2");
  CAF_CHECK_EQUAL(to_string(out.response.finish), "stop");
  CAF_CHECK(out.response.tokens == (usage{15, 9, 0, 0, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
  CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, bytes, bytes.rfind("message_stop\"}") + 14), 0u);
}

CAF_TEST(a recorded tool use stream assembles partial json) {
  ET_FIXTURE(bytes, "anthropic/message_stream_tool_use.sse");
  auto c = make_codec(anthropic());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.response.content, "I'll check the current weather in Paris for you.");
  CAF_REQUIRE_EQUAL(out.response.tool_calls.size(), 1u);
  CAF_CHECK(
      out.response.tool_calls[0]
      == (tool_call{"toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather", R"({"location": "Paris"})"}));
  CAF_CHECK_EQUAL(to_string(out.response.finish), "tool_calls");
  CAF_CHECK(out.response.tokens == (usage{377, 65, 0, 0, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
  CAF_CHECK_EQUAL(test::cuts_not_interrupted(*c, bytes, bytes.rfind("message_stop\"}") + 14), 0u);
}

CAF_TEST(a recorded litellm stream decodes in every split) {
  ET_FIXTURE(bytes, "anthropic/message_stream_litellm.sse");
  auto c = make_codec(anthropic());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK(out.response.content.rfind("Here are 5 important events", 0) == 0);
  CAF_CHECK_EQUAL(out.text, out.response.content);
  CAF_CHECK_EQUAL(out.chunks, 23u); // SOURCES.md says 24; the file has 23 text_delta events
  CAF_CHECK_EQUAL(out.response.tokens.prompt_tokens, 17);
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
}

CAF_TEST(recorded 2026 payloads without event lines decode by their type) {
  ET_FIXTURE(payloads, "anthropic/message_stream_payloads_2026.ndjson");
  auto bytes = test::frame_as_sse(payloads, false);
  auto c = make_codec(anthropic());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(!out.error);
  CAF_CHECK_EQUAL(out.response.content,
                  "Hello! I'm doing well, thank you for asking. How are you doing today? Is there "
                  "anything I can help you with?");
  CAF_CHECK(out.response.tokens == (usage{12, 30, 0, 0, 0}));
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
}

CAF_TEST(a recorded error payload framed as an error event fails the stream) {
  ET_FIXTURE(payload, "anthropic/stream_error_event_overloaded.data.json");
  ET_FIXTURE(stream, "anthropic/message_stream.sse");
  // The capture has only the data line; the event line is as documented.
  auto cut = stream.find("event: content_block_stop");
  auto bytes = stream.substr(0, cut) + "event: error\ndata: " + payload + "\n\n";
  auto c = make_codec(anthropic());
  auto out = test::run_stream(*c, bytes);
  CAF_REQUIRE(out.error.has_value());
  CAF_CHECK_EQUAL(name(out.error->code), "overloaded");
  CAF_CHECK_EQUAL(out.text, "1\n2\n3");
  CAF_CHECK_EQUAL(test::split_mismatches(*c, bytes), 0u);
}
