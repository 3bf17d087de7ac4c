#define CAF_SUITE e2e.gateway_documents
#include "caf/test/unit_test.hpp"

// PDF documents through the gateway: each client protocol's file parts and document blocks
// reach each upstream protocol that takes PDFs, in the shape that upstream documents; an
// Anthropic text document reaches every upstream as text. The fake
// upstream bills every well-formed document 3,000 prompt tokens (fake_upstream/images.hpp), so
// the usage a client gets back shows that its document arrived. Ollama takes none: the client
// is told so, in its own protocol.

#include "gateway_fixture.hpp"

using namespace et::e2e::gw;

namespace {

const std::string pdf = "JVBERi0xLjcKJeLjz9MK"; // "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
const std::string pdf_url = "data:application/pdf;base64," + pdf;

// "read this" and one PDF, in each client protocol.
std::string openai_document(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":[
      {"type":"text","text":"read this"},
      {"type":"file","file":{"filename":"spec.pdf","file_data":")"
         + pdf_url + R"("}}]}]})";
}

std::string anthropic_document(const std::string& model) {
  return R"({"model":")" + model + R"(","max_tokens":64,"messages":[{"role":"user","content":[
      {"type":"document","title":"spec","source":{"type":"base64",
       "media_type":"application/pdf","data":")"
         + pdf + R"("}},{"type":"text","text":"read this"}]}]})";
}

std::string responses_document(const std::string& model) {
  return R"({"model":")" + model + R"(","input":[{"role":"user","content":[
      {"type":"input_text","text":"read this"},
      {"type":"input_file","filename":"spec.pdf","file_data":")"
         + pdf_url + R"("}]}]})";
}

int64_t usage(const answer& a, const char* key) {
  return json::parse(a.body).at("usage").at(key).as_int64();
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_documents_tests, fixture)

CAF_TEST(documents reach every upstream that takes them from every client protocol) {
  serve();
  for (const std::string model : {"gpt", "claude", "gem"}) {
    CAF_MESSAGE(model);
    auto o = openai(openai_document(model));
    CAF_REQUIRE_EQUAL(o.status, 200);
    CAF_CHECK_EQUAL(usage(o, "prompt_tokens"), 3002); // two words, one document
    auto a = anthropic(anthropic_document(model));
    CAF_REQUIRE_EQUAL(a.status, 200);
    CAF_CHECK_EQUAL(usage(a, "input_tokens"), 3002);
    auto r = call("POST", "/v1/responses", responses_document(model));
    CAF_REQUIRE_EQUAL(r.status, 200);
    CAF_CHECK_EQUAL(usage(r, "input_tokens"), 3002);
  }
}

CAF_TEST(an upstream without documents refuses them in the client protocol) {
  serve();
  auto o = openai(openai_document("llama"));
  CAF_CHECK_EQUAL(o.status, 400);
  CAF_CHECK(has(field(o.body, "error", "message"), "PDF documents are not supported"));
  auto a = anthropic(anthropic_document("llama"));
  CAF_CHECK_EQUAL(a.status, 400);
  CAF_CHECK(has(field(a.body, "error", "message"), "PDF documents are not supported"));
  CAF_CHECK(fixture::clean(a.body));
}

CAF_TEST(documents in tool results reach every upstream that takes them) {
  serve();
  // Claude Code reads a PDF with a tool: the document comes back in the tool's result.
  const std::string turns = R"("messages":[
      {"role":"user","content":"read the spec"},
      {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"read","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[
        {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":")"
                            + pdf + R"("}}]}]}])";
  const std::string tools =
      R"(,"tools":[{"name":"read","input_schema":{"type":"object","properties":{}}}])";
  for (const std::string model : {"gpt", "claude", "gem"}) {
    CAF_MESSAGE(model);
    auto a = anthropic(R"({"model":")" + model + R"(","max_tokens":64,)" + turns + tools + "}");
    CAF_REQUIRE_EQUAL(a.status, 200);
    // One document's worth, with the words each protocol counts of the call and its result.
    CAF_CHECK_GREATER_OR_EQUAL(usage(a, "input_tokens"), 3003);
    CAF_CHECK_LESS(usage(a, "input_tokens"), 4000);
  }
}

CAF_TEST(a document that is not a PDF is refused before any upstream sees it) {
  serve();
  auto body = openai_document("gpt");
  auto at = body.find(pdf);
  body.replace(at, pdf.size(), "iVBORw0KGgoAAAAAAAAAAA=="); // a PNG's bytes
  auto o = openai(body);
  CAF_CHECK_EQUAL(o.status, 400);
  CAF_CHECK(has(field(o.body, "error", "message"), "messages[0].content[1].file.file_data"));
  CAF_CHECK(has(field(o.body, "error", "message"), "not a PDF file"));
}

CAF_TEST(an Anthropic text document reaches every upstream as text) {
  serve();
  for (const std::string model : {"gpt", "claude", "gem", "llama"}) {
    CAF_MESSAGE(model);
    auto a = anthropic(R"({"model":")" + model + R"(","max_tokens":64,"messages":[
        {"role":"user","content":[{"type":"document","title":"notes","source":{"type":"text",
         "media_type":"text/plain","data":"the sky is green"}}]}]})");
    CAF_REQUIRE_EQUAL(a.status, 200);
    // The fake upstream echoes the user's turn as it arrived.
    auto text = std::string{json::parse(a.body).at("content").at(0).at("text").as_string()};
    CAF_CHECK_EQUAL(text,
                    "<document>\n<source>notes</source>\n<document_content>\nthe sky is green\n"
                    "</document_content>\n</document>\n");
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
