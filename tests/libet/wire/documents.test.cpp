#define CAF_SUITE libet.wire.documents
#include "caf/test/unit_test.hpp"

// PDF documents in each upstream protocol's words: Anthropic document blocks (with a title),
// OpenAI file parts (with a file name; input_file in token counts), Gemini inlineData; refused
// where a protocol cannot take them (Ollama; links in Chat Completions).

#include "image_test_support.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using et::wire::test::name;
namespace json = boost::json;

namespace {

const std::string pdf = "JVBERi0xLjcK";
const std::string pdf_link = "https://example.org/spec.pdf";

image pdf_bytes(std::size_t at, std::string file_name = "") {
  image i{std::string{pdf_media_type}, pdf, "", "", at};
  i.name = std::move(file_name);
  return i;
}

image pdf_by_link(std::size_t at) {
  return image{std::string{pdf_media_type}, "", pdf_link, "", at};
}

// "Read: " a named PDF "done".
message user_with_document(image doc) {
  auto m = test::user_says("Read: done");
  m.images = {std::move(doc)};
  return m;
}

// "read it", a call of "read", its result ("the spec" and an unnamed PDF).
std::vector<message> tool_round_with_document() {
  message call{role::assistant, "", {{"call_1", "read", "{}"}}, {}, {}};
  message result{role::tool, "the spec", {}, "call_1", "read"};
  result.images = {pdf_bytes(8)};
  return {test::user_says("read it"), call, result};
}

std::string body_of(config::provider_type type, const chat_request& req) {
  auto out = make_codec(test::make_provider(type))->chat(req, false);
  CAF_REQUIRE(out.has_value());
  return out->body;
}

} // namespace

CAF_TEST(anthropic gets document blocks with their titles) {
  auto req = test::request_of("claude", {user_with_document(pdf_bytes(6, "spec.pdf"))});
  CAF_CHECK_EQUAL(test::member(body_of(config::provider_type::anthropic, req), "messages"),
                  test::compact(R"([{"role": "user", "content": [
    {"type": "text", "text": "Read: "},
    {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
     "data": "JVBERi0xLjcK"}, "title": "spec.pdf"},
    {"type": "text", "text": "done"}]}])"));
  req.messages[0].images[0] = pdf_by_link(6);
  CAF_CHECK(test::member(body_of(config::provider_type::anthropic, req), "messages")
                .find(R"({"type":"document","source":{"type":"url","url":")" + pdf_link + "\"}}")
            != std::string::npos);
  auto round = test::request_of("claude", tool_round_with_document());
  auto messages = test::member(body_of(config::provider_type::anthropic, round), "messages");
  CAF_CHECK(messages.find(R"({"type":"tool_result","tool_use_id":"call_1","content":[)"
                          R"({"type":"text","text":"the spec"},{"type":"document",)")
            != std::string::npos);
}

CAF_TEST(openai gets file parts with a file name) {
  auto req = test::request_of("gpt", {user_with_document(pdf_bytes(6, "spec.pdf"))});
  CAF_CHECK_EQUAL(test::member(body_of(config::provider_type::openai, req), "messages"),
                  test::compact(R"([{"role": "user", "content": [
    {"type": "text", "text": "Read: "},
    {"type": "file", "file": {"filename": "spec.pdf",
     "file_data": "data:application/pdf;base64,JVBERi0xLjcK"}},
    {"type": "text", "text": "done"}]}])"));
  // A tool's document follows its round in a user message, named for OpenAI, which wants one.
  auto round = test::request_of("gpt", tool_round_with_document());
  auto messages = test::member(body_of(config::provider_type::openai, round), "messages");
  CAF_CHECK(messages.find(R"({"role":"user","content":[{"type":"text","text":"Attachments in )"
                          R"(the result of tool call call_1:"},{"type":"file","file":{)"
                          R"("filename":"document.pdf","file_data":"data:application/pdf;)")
            != std::string::npos);
}

CAF_TEST(openai chat completions take no links to documents) {
  auto req = test::request_of("gpt", {user_with_document(pdf_by_link(6))});
  auto out = make_codec(test::make_provider(config::provider_type::openai))->chat(req, true);
  CAF_REQUIRE(!out);
  CAF_CHECK_EQUAL(name(out.error().code), "unsupported");
  CAF_CHECK(out.error().message.find("links to PDF documents are not supported")
            != std::string::npos);
}

CAF_TEST(openai token counts send documents as input_file parts) {
  auto req = test::request_of(
      "gpt-5", {user_with_document(pdf_bytes(6, "spec.pdf")), user_with_document(pdf_by_link(0))});
  auto out = make_codec(test::make_provider(config::provider_type::openai))->count_tokens(req);
  CAF_REQUIRE(out.has_value());
  CAF_CHECK_EQUAL(test::member(out->body, "input"), test::compact(R"([
    {"type": "message", "role": "user", "content": [
      {"type": "input_text", "text": "Read: "},
      {"type": "input_file", "filename": "spec.pdf",
       "file_data": "data:application/pdf;base64,JVBERi0xLjcK"},
      {"type": "input_text", "text": "done"}]},
    {"type": "message", "role": "user", "content": [
      {"type": "input_file", "file_url": "https://example.org/spec.pdf"},
      {"type": "input_text", "text": "Read: done"}]}])"));
}

CAF_TEST(gemini gets documents as inline data) {
  auto req = test::request_of("gemini", {user_with_document(pdf_bytes(6, "spec.pdf"))});
  CAF_CHECK_EQUAL(test::member(body_of(config::provider_type::gemini, req), "contents"),
                  test::compact(R"([{"role": "user", "parts": [
    {"text": "Read: "},
    {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0xLjcK"}},
    {"text": "done"}]}])"));
}

CAF_TEST(ollama takes no documents) {
  auto c = make_codec(test::make_provider(config::provider_type::ollama, ""));
  for (const auto& req : {test::request_of("llama", {user_with_document(pdf_bytes(6))}),
                          test::request_of("llama", tool_round_with_document())}) {
    auto out = c->chat(req, false);
    CAF_REQUIRE(!out);
    CAF_CHECK_EQUAL(name(out.error().code), "unsupported");
    CAF_CHECK_EQUAL(out.error().message,
                    "ollama: PDF documents are not supported (Ollama takes images)");
  }
}
