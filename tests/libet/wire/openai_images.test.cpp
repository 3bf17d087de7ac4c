#define CAF_SUITE libet.wire.openai_images
#include "caf/test/unit_test.hpp"

// Images in OpenAI requests: content parts in order, the images of tool results after their
// round, and the Responses input parts of token counts.

#include "image_test_support.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
namespace json = boost::json;

namespace {

config::provider openai() {
  return test::make_provider(config::provider_type::openai);
}

} // namespace

CAF_TEST(a user turn with images is sent as text and image_url parts in order) {
  auto req =
      test::request_of("gpt-4.1-nano", {test::user_with_images(), test::user_says("no pictures")});
  auto out = make_codec(openai())->chat(req, false);
  CAF_REQUIRE(out.has_value());
  CAF_CHECK_EQUAL(test::member(out->body, "messages"), test::compact(R"([
    {"role": "user", "content": [
      {"type": "text", "text": "Look: "},
      {"type": "image_url",
       "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
      {"type": "text", "text": "and here: "},
      {"type": "image_url", "image_url": {"url": "https://example.org/cat.jpg"}},
      {"type": "text", "text": "done"}]},
    {"role": "user", "content": "no pictures"}])"));
}

CAF_TEST(the images of a run of tool results follow the run in one user message) {
  auto req = test::request_of("gpt-4.1-nano", test::tool_round_with_images());
  auto out = make_codec(openai())->chat(req, false);
  CAF_REQUIRE(out.has_value());
  auto calls = test::three_calls(
      R"({"id": "call_#", "type": "function", "function": {"name": "shoot", "arguments": "{}"}})");
  auto images = std::string{R"({"role": "user", "content": [
      {"type": "text", "text": "Images in the result of tool call call_1:"},
      {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
      {"type": "text", "text": "Images in the result of tool call call_3:"},
      {"type": "image_url", "image_url": {"url": "https://example.org/cat.jpg", "detail": "low"}},
      {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}}]})"};
  auto round = R"([{"role": "user", "content": "take pictures"},
    {"role": "assistant", "content": null, "tool_calls": [)"
               + calls + R"(]},
    {"role": "tool", "tool_call_id": "call_1", "content": "front"},
    {"role": "tool", "tool_call_id": "call_2", "content": "none"},
    {"role": "tool", "tool_call_id": "call_3", "content": "back"},
    )" + images;
  CAF_CHECK_EQUAL(test::member(out->body, "messages"),
                  test::compact(round + R"(, {"role": "user", "content": "compare them"}])"));
  // A round that ends the conversation still sends its images.
  req.messages.pop_back();
  out = make_codec(openai())->chat(req, false);
  CAF_CHECK_EQUAL(test::member(out->body, "messages"), test::compact(round + "]"));
}

CAF_TEST(token counts send images as responses input parts where the chat sends them) {
  auto req =
      test::request_of("gpt-5", {test::user_with_images(), test::tool_round_with_images()[4]});
  auto out = make_codec(openai())->count_tokens(req);
  CAF_REQUIRE(out.has_value());
  CAF_CHECK_EQUAL(test::member(out->body, "input"), test::compact(R"([
    {"type": "message", "role": "user", "content": [
      {"type": "input_text", "text": "Look: "},
      {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"},
      {"type": "input_text", "text": "and here: "},
      {"type": "input_image", "image_url": "https://example.org/cat.jpg", "detail": "auto"},
      {"type": "input_text", "text": "done"}]},
    {"type": "function_call_output", "call_id": "call_3", "output": "back"},
    {"type": "message", "role": "user", "content": [
      {"type": "input_text", "text": "Images in the result of tool call call_3:"},
      {"type": "input_image", "image_url": "https://example.org/cat.jpg", "detail": "low"},
      {"type": "input_image", "image_url": "data:image/jpeg;base64,/9j/4AAQ", "detail": "auto"}]}])"));
}

// -- recorded ---------------------------------------------------------------
