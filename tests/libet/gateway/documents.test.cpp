#define CAF_SUITE libet.gateway.documents
#include "caf/test/unit_test.hpp"

// Documents in the three client protocols: OpenAI chat's file parts, the Responses API's
// input_file parts and Anthropic's document blocks, in user turns and tool results. PDFs are
// checked as images are; Anthropic's text documents become text; what would need files the
// gateway does not store is refused.

#include <string>

#include "et/gateway/request.hpp"
#include "refusals.hpp"

using namespace et;
using namespace et::gateway;
using et::gateway::test::code;
using et::gateway::test::refused;

namespace {

const std::string pdf = "JVBERi0xLjcKJeLjz9MK"; // "%PDF-1.7\n%", four binary bytes, "\n"
const std::string png = "iVBORw0KGgoAAAAAAAAAAA==";
const std::string pdf_url = "data:application/pdf;base64," + pdf;

std::string openai_body(const std::string& parts) {
  return R"({"model":"m","messages":[{"role":"user","content":[)" + parts + "]}]}";
}

std::string openai_file(const std::string& file) {
  return R"({"type":"file","file":)" + file + "}";
}

std::string anthropic_body(const std::string& blocks) {
  return R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":[)" + blocks + "]}]}";
}

std::string anthropic_document(const std::string& type, const std::string& data,
                               const std::string& extra = "") {
  return R"({"type":"document","source":{"type":"base64","media_type":")" + type + R"(","data":")"
         + data + R"("})" + extra + "}";
}

std::string responses_body(const std::string& parts) {
  return R"({"model":"m","input":[{"role":"user","content":[)" + parts + "]}]}";
}

} // namespace

CAF_TEST(OpenAI file parts keep their name and their place in the text) {
  auto r = parse_openai_request(openai_body(
      R"({"type":"text","text":"read "},)"
      + openai_file(R"({"filename":"spec.pdf","file_data":")" + pdf_url + R"("})")
      + R"(,{"type":"text","text":" now"},)" + openai_file(R"({"file_data":")" + pdf + R"("})")));
  CAF_REQUIRE(r);
  const auto& m = r->request.messages.at(0);
  CAF_CHECK_EQUAL(m.content, "read  now");
  CAF_REQUIRE_EQUAL(m.images.size(), 2u);
  CAF_CHECK(is_document(m.images[0]));
  CAF_CHECK_EQUAL(m.images[0].data, pdf);
  CAF_CHECK_EQUAL(m.images[0].name, "spec.pdf");
  CAF_CHECK_EQUAL(m.images[0].at, 5u);
  CAF_CHECK_EQUAL(m.images[0].pages, 1u); // estimated once, as it was read
  // The base64 alone is a PDF's too (both OpenAI APIs document file_data as base64).
  CAF_CHECK(is_document(m.images[1]));
  CAF_CHECK_EQUAL(m.images[1].data, pdf);
  CAF_CHECK_EQUAL(m.images[1].name, "");
  CAF_CHECK_EQUAL(m.images[1].at, 9u);
}

CAF_TEST(OpenAI file refusals name the part) {
  auto p = [](const std::string& file) {
    return parse_openai_request(openai_body(openai_file(file)));
  };
  auto stored = p(R"({"file_id":"file-1"})");
  CAF_CHECK_EQUAL(refused(stored), "messages[0].content[0].file.file_id");
  CAF_CHECK(code(stored) == errc::unsupported);
  CAF_CHECK_EQUAL(refused(p(R"({"filename":"a.pdf"})")), "messages[0].content[0].file.file_data");
  // Not a PDF: a PNG's bytes, an image's media type, text that is not base64.
  CAF_CHECK_EQUAL(refused(p(R"({"file_data":")" + png + R"("})")),
                  "messages[0].content[0].file.file_data");
  auto image = p(R"({"file_data":"data:image/png;base64,)" + png + R"("})");
  CAF_CHECK_EQUAL(refused(image), "messages[0].content[0].file.file_data");
  CAF_CHECK(code(image) == errc::unsupported);
  CAF_CHECK_EQUAL(refused(p(R"({"file_data":"%PDF-1.7"})")),
                  "messages[0].content[0].file.file_data");
  CAF_CHECK_EQUAL(refused(p(R"({"file_data":")" + pdf + R"(","filename":7})")),
                  "messages[0].content[0].file.filename");
  CAF_CHECK_EQUAL(refused(p(R"({"file_data":")" + pdf + R"(","size":7})")),
                  "messages[0].content[0].file.size");
  CAF_CHECK_EQUAL(refused(parse_openai_request(openai_body(R"({"type":"file"})"))),
                  "messages[0].content[0].file");
  // Files come in user turns only, as images do.
  auto system = parse_openai_request(R"({"model":"m","messages":[{"role":"system","content":[)"
                                     + openai_file(R"({"file_data":")" + pdf + R"("})") + "]}]}");
  CAF_CHECK_EQUAL(refused(system), "messages[0].content[0].type");
}

CAF_TEST(Anthropic document blocks in user turns and tool results) {
  auto r = parse_anthropic_request(
      R"({"model":"m","max_tokens":10,"messages":[
        {"role":"user","content":[{"type":"text","text":"see"},)"
      + anthropic_document("application/pdf", pdf,
                           R"(,"title":"spec","citations":{"enabled":true},
                              "cache_control":{"type":"ephemeral"})")
      + R"(,{"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}]},
        {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"read","input":{}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1",
          "content":[{"type":"text","text":"the file"},)"
      + anthropic_document("application/pdf", pdf) + "]}]}]}");
  CAF_REQUIRE(r);
  const auto& ms = r->request.messages;
  CAF_REQUIRE_EQUAL(ms.size(), 3u);
  CAF_REQUIRE_EQUAL(ms[0].images.size(), 2u);
  CAF_CHECK(is_document(ms[0].images[0]));
  CAF_CHECK_EQUAL(ms[0].images[0].name, "spec");
  CAF_CHECK_EQUAL(ms[0].images[0].at, 3u);
  // A link to a PDF says what it is, so that upstreams write it as a file.
  CAF_CHECK(is_document(ms[0].images[1]));
  CAF_CHECK_EQUAL(ms[0].images[1].url, "https://example.com/a.pdf");
  CAF_CHECK(ms[2].who == role::tool);
  CAF_REQUIRE_EQUAL(ms[2].images.size(), 1u);
  CAF_CHECK(is_document(ms[2].images[0]));
  CAF_CHECK_EQUAL(ms[2].images[0].at, ms[2].content.size());
}

CAF_TEST(Anthropic document refusals name the block) {
  auto p = [](const std::string& blocks) {
    return parse_anthropic_request(anthropic_body(blocks));
  };
  CAF_CHECK_EQUAL(refused(p(anthropic_document("application/pdf", png))),
                  "messages[0].content[0].source");
  auto image = p(anthropic_document("image/png", png));
  CAF_CHECK_EQUAL(refused(image), "messages[0].content[0].source");
  CAF_CHECK(code(image) == errc::unsupported);
  auto file = p(R"({"type":"document","source":{"type":"file","file_id":"f1"}})");
  CAF_CHECK_EQUAL(refused(file), "messages[0].content[0].source.type");
  CAF_CHECK_EQUAL(refused(p(anthropic_document("application/pdf", pdf, R"(,"context":7)"))),
                  "messages[0].content[0].context");
  CAF_CHECK_EQUAL(refused(p(anthropic_document("application/pdf", pdf, R"(,"title":1)"))),
                  "messages[0].content[0].title");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"document","source":{"type":"url","url":"ftp://x/a"}})")),
                  "messages[0].content[0].source.url");
  // The model's own turns carry no documents.
  auto assistant = parse_anthropic_request(
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"x"},
        {"role":"assistant","content":[)"
      + anthropic_document("application/pdf", pdf) + "]}]}");
  CAF_CHECK_EQUAL(refused(assistant), "messages[1].content[0].type");
}

CAF_TEST(Anthropic text documents are text in the turn between document tags) {
  auto r = parse_anthropic_request(
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
        {"type":"text","text":"Summarize:"},
        {"type":"document","title":"Notes","citations":{"enabled":true},"cache_control":
          {"type":"ephemeral"},"source":{"type":"text","media_type":"text/plain","data":"a\nb"}},
        {"type":"document","source":{"type":"content","content":[{"type":"text","text":"see "},
          {"type":"image","source":{"type":"base64","media_type":"image/png","data":")"
      + png + R"("}},{"type":"text","text":"this"}]}}]},
        {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"read","input":{}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[
          {"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]}]},
        {"role":"user","content":[{"type":"document","source":{"type":"content","content":"y"}}]}]})");
  CAF_REQUIRE(r);
  const auto& ms = r->request.messages;
  CAF_REQUIRE_EQUAL(ms.size(), 4u);
  const std::string notes =
      "Summarize:\n<document>\n<source>Notes</source>\n<document_content>\na\nb\n"
      "</document_content>\n</document>\n";
  const std::string opened = "<document>\n<document_content>\nsee ";
  CAF_CHECK_EQUAL(ms[0].content, notes + opened + "this\n</document_content>\n</document>\n");
  // A content source's image stays where it stood in the document.
  CAF_REQUIRE_EQUAL(ms[0].images.size(), 1u);
  CAF_CHECK(!is_document(ms[0].images[0]));
  CAF_CHECK_EQUAL(ms[0].images[0].at, notes.size() + opened.size());
  CAF_CHECK(ms[2].who == role::tool);
  CAF_CHECK_EQUAL(ms[2].content, "<document>\n<document_content>\nx\n</document_content>\n"
                                 "</document>\n");
  // A turn of a document alone is a turn.
  CAF_CHECK_EQUAL(ms[3].content,
                  "<document>\n<document_content>\ny\n</document_content>\n</document>\n");
}

CAF_TEST(an Anthropic document s context goes with it between tags of its own) {
  // A file: its context is text right after it.
  auto file = parse_anthropic_request(anthropic_body(
      R"({"type":"text","text":"Read"},)"
      + anthropic_document("application/pdf", pdf, R"(,"context":"from the wiki, 2024")")));
  CAF_REQUIRE(file);
  const auto& f = file->request.messages.at(0);
  CAF_REQUIRE_EQUAL(f.images.size(), 1u);
  CAF_CHECK_EQUAL(f.images[0].at, 4u);
  CAF_CHECK_EQUAL(f.content,
                  "Read\n<document_context>\nfrom the wiki, 2024\n</document_context>\n");
  // A text document: inside its <document>, after its title.
  auto text = parse_anthropic_request(anthropic_body(
      R"({"type":"document","title":"Notes","context":"draft\n","source":{"type":"text",
          "media_type":"text/plain","data":"a"}})"));
  CAF_REQUIRE(text);
  CAF_CHECK_EQUAL(text->request.messages.at(0).content,
                  "<document>\n<source>Notes</source>\n<document_context>\ndraft\n"
                  "</document_context>\n<document_content>\na\n</document_content>\n"
                  "</document>\n");
  // Null is absent; a context past the bound is refused by name.
  auto none = parse_anthropic_request(
      anthropic_body(anthropic_document("application/pdf", pdf, R"(,"context":null)")));
  CAF_REQUIRE(none);
  CAF_CHECK_EQUAL(none->request.messages.at(0).content, "");
  limits small;
  small.max_string_bytes = 8;
  auto long_one = parse_anthropic_request(
      anthropic_body(anthropic_document("application/pdf", pdf, R"(,"context":"far too long")")),
      small);
  CAF_CHECK_EQUAL(refused(long_one), "messages[0].content[0].context");
  // One that fits alone but not in the turn is named too; spaces alone say nothing.
  limits turn_bound;
  turn_bound.max_string_bytes = 64;
  auto over = parse_anthropic_request(
      anthropic_body(R"({"type":"document","title":"Notes","context":"forty bytes or so, yes",)"
                     R"("source":{"type":"text","media_type":"text/plain","data":"a"}})"),
      turn_bound);
  CAF_CHECK_EQUAL(refused(over), "messages[0].content[0].context");
  auto blank = parse_anthropic_request(
      anthropic_body(anthropic_document("application/pdf", pdf, R"(,"context":" \n ")")));
  CAF_REQUIRE(blank);
  CAF_CHECK_EQUAL(blank->request.messages.at(0).content, "");
}

CAF_TEST(a text document after a tool result is a user turn of its own) {
  auto r = parse_anthropic_request(
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"go"},
        {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"read","input":{}}]},
        {"role":"user","content":[
          {"type":"tool_result","tool_use_id":"t","is_error":true,"content":[{"type":"document",
            "source":{"type":"content","content":[{"type":"text","text":"see"},{"type":"image",
            "source":{"type":"base64","media_type":"image/png","data":")"
      + png + R"("}}]}}]},
          {"type":"document","source":{"type":"text","media_type":"text/plain","data":"z\n"}}]}]})");
  CAF_REQUIRE(r);
  const auto& ms = r->request.messages;
  CAF_REQUIRE_EQUAL(ms.size(), 4u);
  // A failed tool's text starts with its mark; the image stays after "see".
  CAF_CHECK(ms[2].who == role::tool);
  const std::string before = "Error: \n<document>\n<document_content>\nsee";
  CAF_CHECK(ms[2].content.starts_with(before));
  CAF_REQUIRE_EQUAL(ms[2].images.size(), 1u);
  CAF_CHECK_EQUAL(ms[2].images[0].at, before.size());
  // The document after it is kept, in a user turn after the tool's (data that ends its line
  // gets no blank line).
  CAF_CHECK(ms[3].who == role::user);
  CAF_CHECK_EQUAL(ms[3].content,
                  "<document>\n<document_content>\nz\n</document_content>\n</document>\n");
}

CAF_TEST(Anthropic text document refusals name the field) {
  auto p = [](const std::string& source, const limits& bounds = {}) {
    return parse_anthropic_request(anthropic_body(R"({"type":"document","source":)" + source + "}"),
                                   bounds);
  };
  const std::string at = "messages[0].content[0].source";
  CAF_CHECK_EQUAL(refused(p(R"({"type":"text","media_type":"text/markdown","data":"x"})")),
                  at + ".media_type");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"text","media_type":"text/plain"})")), at + ".data");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"text","media_type":"text/plain","data":7})")),
                  at + ".data");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"text","media_type":"text/plain","data":"x","url":"u"})")),
                  at + ".url");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"content"})")), at + ".content");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"content","content":7})")), at + ".content");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"content","content":[{"type":"text","text":"a","x":1}]})")),
                  at + ".content[0].x");
  auto titled = [&](const std::string& title) {
    return refused(parse_anthropic_request(
        anthropic_body(R"({"type":"document","title":)" + title
                       + R"(,"source":{"type":"text","media_type":"text/plain","data":"x"}})")));
  };
  CAF_CHECK_EQUAL(titled("7"), "messages[0].content[0].title");
  CAF_CHECK_EQUAL(titled(R"(")" + std::string(257, 't') + R"(")"), "messages[0].content[0].title");
  CAF_CHECK_EQUAL(titled(R"("ok")"), "ok");
  // The model's own turns carry no documents of any kind.
  auto assistant = parse_anthropic_request(
      R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"x"},
        {"role":"assistant","content":[{"type":"document","source":{"type":"text",
         "media_type":"text/plain","data":"x"}}]}]})");
  CAF_CHECK_EQUAL(refused(assistant), "messages[1].content[0].type");
  // A content source's images count toward the conversation's.
  limits one_image;
  one_image.max_images = 1;
  const std::string pic =
      R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":")" + png
      + R"("}})";
  CAF_CHECK_EQUAL(refused(p(R"({"type":"content","content":[)" + pic + "]}", one_image)), "ok");
  CAF_CHECK_EQUAL(
      refused(p(R"({"type":"content","content":[)" + pic + "," + pic + "]}", one_image)),
      "messages");
  // No documents within a document.
  auto nested = p(R"({"type":"content","content":[{"type":"document","source":
      {"type":"text","media_type":"text/plain","data":"x"}}]})");
  CAF_CHECK_EQUAL(refused(nested), at + ".content[0].type");
  CAF_CHECK(code(nested) == errc::unsupported);
  // The tags count toward the bound on one text.
  limits small;
  small.max_string_bytes = 64; // the tags of a document of one character
  CAF_CHECK_EQUAL(refused(p(R"({"type":"text","media_type":"text/plain","data":"x"})", small)),
                  "ok");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"text","media_type":"text/plain","data":")"
                                + std::string(40, 'x') + R"("})",
                            small)),
                  at + ".data");
  // Data that fits with the opening tags and not with the closing ones.
  CAF_CHECK_EQUAL(refused(p(R"({"type":"text","media_type":"text/plain","data":")"
                                + std::string(20, 'x') + R"("})",
                            small)),
                  at);
}

CAF_TEST(Responses input files in messages and function outputs) {
  auto r = parse_responses_request(
      R"({"model":"m","input":[{"role":"user","content":[
        {"type":"input_file","filename":"spec.pdf","file_data":")"
      + pdf_url + R"("},
        {"type":"input_file","file_url":"https://example.com/a.pdf"}]},
        {"type":"function_call","call_id":"c","name":"read","arguments":"{}"},
        {"type":"function_call_output","call_id":"c","output":[
          {"type":"input_file","file_data":")"
      + pdf + R"("}]}]})");
  CAF_REQUIRE(r);
  const auto& ms = r->request.messages;
  CAF_REQUIRE_EQUAL(ms.size(), 3u);
  CAF_REQUIRE_EQUAL(ms[0].images.size(), 2u);
  CAF_CHECK_EQUAL(ms[0].images[0].name, "spec.pdf");
  CAF_CHECK_EQUAL(ms[0].images[0].data, pdf);
  CAF_CHECK(is_document(ms[0].images[1]));
  CAF_CHECK_EQUAL(ms[0].images[1].url, "https://example.com/a.pdf");
  CAF_REQUIRE_EQUAL(ms[2].images.size(), 1u);
  CAF_CHECK(is_document(ms[2].images[0]));
}

CAF_TEST(Responses file refusals name the part) {
  auto p = [](const std::string& part) { return parse_responses_request(responses_body(part)); };
  auto stored = p(R"({"type":"input_file","file_id":"file-1"})");
  CAF_CHECK_EQUAL(refused(stored), "input[0].content[0].file_id");
  CAF_CHECK(code(stored) == errc::unsupported);
  CAF_CHECK_EQUAL(refused(p(R"({"type":"input_file"})")), "input[0].content[0]");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"input_file","file_data":")" + pdf
                            + R"(","file_url":"https://example.com/a.pdf"})")),
                  "input[0].content[0]");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"input_file","file_data":")" + png + R"("})")),
                  "input[0].content[0].file_data");
}

CAF_TEST(documents are bounded and counted with images) {
  limits small;
  small.max_images = 2;
  small.max_image_bytes = 24; // the PDF's base64 is 20 bytes, the PNG's 24
  auto file = [](const std::string& data) {
    return openai_body(openai_file(R"({"file_data":")" + data + R"("})"));
  };
  CAF_CHECK_EQUAL(refused(parse_openai_request(file(pdf_url), small)), "ok");
  CAF_CHECK_EQUAL(refused(parse_openai_request(file(pdf_url + "AAAAAAAA"), small)),
                  "messages[0].content[0].file.file_data");
  auto doc = anthropic_document("application/pdf", pdf);
  auto image = R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":")"
               + png + R"("}})";
  CAF_CHECK_EQUAL(refused(parse_anthropic_request(anthropic_body(doc + "," + image), small)), "ok");
  CAF_CHECK_EQUAL(
      refused(parse_anthropic_request(anthropic_body(doc + "," + doc + "," + image), small)),
      "messages");
}
