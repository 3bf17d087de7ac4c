#define CAF_SUITE libet.gateway.images
#include "caf/test/unit_test.hpp"

#include <string>

#include "et/gateway/request.hpp"
#include "refusals.hpp"

using namespace et;
using namespace et::gateway;
using et::gateway::test::code;
using et::gateway::test::refused;

namespace {

// The first bytes of a file of each type, in base64.
const std::string png = "iVBORw0KGgoAAAAAAAAAAA==";
const std::string jpeg = "/9j/4AAAAAAAAAAA";
const std::string gif = "R0lGODlhAAAAAAAA";
const std::string webp = "UklGRiQAAABXRUJQVlA4IA==";

std::string data_url(const std::string& type, const std::string& data) {
  return "data:" + type + ";base64," + data;
}

// An OpenAI request whose one user turn has `parts`.
std::string openai_body(const std::string& parts) {
  return R"({"model":"m","messages":[{"role":"user","content":[)" + parts + "]}]}";
}

std::string openai_image_part(const std::string& url) {
  return R"({"type":"image_url","image_url":{"url":")" + url + R"("}})";
}

// An Anthropic request whose one user turn has `blocks`.
std::string anthropic_body(const std::string& blocks) {
  return R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":[)" + blocks + "]}]}";
}

std::string anthropic_block(const std::string& type, const std::string& data) {
  return R"({"type":"image","source":{"type":"base64","media_type":")" + type + R"(","data":")"
         + data + R"("}})";
}

// A Responses request whose one user message has `parts`.
std::string responses_body(const std::string& parts) {
  return R"({"model":"m","input":[{"role":"user","content":[)" + parts + "]}]}";
}

} // namespace

CAF_TEST(OpenAI image parts keep their place in the text) {
  auto r = parse_openai_request(openai_body(
      R"({"type":"text","text":"look: "},)" + openai_image_part(data_url("image/png", png))
      + R"(,{"type":"text","text":" and "},)"
      + R"({"type":"image_url","image_url":{"url":"https://example.com/a.png?sig=1","detail":"low"}},)"
      + R"({"type":"text","text":"."})"));
  CAF_REQUIRE(r);
  const auto& m = r->request.messages.at(0);
  CAF_CHECK_EQUAL(m.content, "look:  and .");
  CAF_REQUIRE_EQUAL(m.images.size(), 2u);
  CAF_CHECK_EQUAL(m.images[0].media_type, "image/png");
  CAF_CHECK_EQUAL(m.images[0].data, png);
  CAF_CHECK_EQUAL(m.images[0].at, 6u);
  CAF_CHECK_EQUAL(m.images[1].url, "https://example.com/a.png?sig=1");
  CAF_CHECK_EQUAL(m.images[1].detail, "low");
  CAF_CHECK_EQUAL(m.images[1].at, 11u);
}

CAF_TEST(every media type upstreams take is accepted by its first bytes) {
  for (auto [type, data] : {std::pair{"image/png", png}, std::pair{"image/jpeg", jpeg},
                            std::pair{"image/gif", gif}, std::pair{"image/webp", webp}}) {
    CAF_MESSAGE(type);
    auto r = parse_openai_request(openai_body(openai_image_part(data_url(type, data))));
    CAF_REQUIRE(r);
    CAF_CHECK_EQUAL(r->request.messages.at(0).images.at(0).media_type, type);
  }
}

CAF_TEST(media types are read as clients write them) {
  for (auto type : {"image/jpg", "IMAGE/JPEG", "Image/Jpeg"}) {
    CAF_MESSAGE(type);
    auto r = parse_openai_request(openai_body(openai_image_part(data_url(type, jpeg))));
    CAF_REQUIRE(r);
    CAF_CHECK_EQUAL(r->request.messages.at(0).images.at(0).media_type, "image/jpeg");
  }
  for (auto marker : {";BASE64,", ";Base64,"}) {
    CAF_MESSAGE(marker);
    auto r = parse_openai_request(
        openai_body(openai_image_part("data:image/png" + std::string{marker} + png)));
    CAF_REQUIRE(r);
    CAF_CHECK_EQUAL(r->request.messages.at(0).images.at(0).data, png);
  }
}

CAF_TEST(a text part without its text is refused) {
  CAF_CHECK_EQUAL(refused(parse_openai_request(openai_body(R"({"type":"text"})"))),
                  "messages[0].content[0].text");
  CAF_CHECK_EQUAL(refused(parse_responses_request(responses_body(R"({"type":"input_text"})"))),
                  "input[0].content[0].text");
}

CAF_TEST(images are counted over the whole conversation) {
  limits small;
  small.max_images = 2;
  auto one = openai_image_part(data_url("image/png", png));
  auto turn = R"({"role":"user","content":[)" + one + "]}";
  auto r = parse_openai_request(R"({"model":"m","messages":[)" + turn + "," + turn + "]}", small);
  CAF_CHECK_EQUAL(refused(r), "ok");
  r = parse_openai_request(R"({"model":"m","messages":[)" + turn + "," + turn + "," + turn + "]}",
                           small);
  CAF_CHECK_EQUAL(refused(r), "messages");
  // Anthropic tool results count too.
  auto block = anthropic_block("image/png", png);
  auto results = R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1",
      "content":[)"
                 + block + "," + block + "]}," + block + "]}";
  auto a = parse_anthropic_request(
      R"({"model":"m","max_tokens":9,"messages":[{"role":"assistant","content":[
        {"type":"tool_use","id":"t1","name":"f","input":{}}]},)"
          + results + "]}",
      small);
  CAF_CHECK_EQUAL(refused(a), "messages");
}

CAF_TEST(OpenAI image refusals name the part) {
  auto p = [](const std::string& url) {
    return parse_openai_request(openai_body(openai_image_part(url)));
  };
  const std::string f = "messages[0].content[0].image_url.url";
  // A type some upstream refuses, data that is not base64, bytes of another type.
  CAF_CHECK_EQUAL(refused(p(data_url("image/bmp", "Qk0AAAAA"))), f);
  CAF_CHECK(code(p(data_url("image/bmp", "Qk0AAAAA"))) == errc::unsupported);
  CAF_CHECK_EQUAL(refused(p(data_url("image/png", "iVBOR w0KGgo"))), f); // 12, a space
  CAF_CHECK_EQUAL(refused(p(data_url("image/png", "iVBORw0KGgo"))), f);
  CAF_CHECK_EQUAL(refused(p(data_url("image/png", "iVB=Rw0KGgo="))), f);
  CAF_CHECK_EQUAL(refused(p(data_url("image/jpeg", png))), f);
  CAF_CHECK_EQUAL(refused(p("data:image/png," + png)), f);
  // Links: http(s) with a host, printable, nothing the gateway would have to fetch itself.
  CAF_CHECK_EQUAL(refused(p("ftp://example.com/a.png")), f);
  CAF_CHECK_EQUAL(refused(p("file:///etc/passwd")), f);
  CAF_CHECK_EQUAL(refused(p("https:///a.png")), f);
  CAF_CHECK_EQUAL(refused(p("https://example.com/a b.png")), f);
  CAF_CHECK_EQUAL(refused(p("https://example.com/\\u0007.png")), f);
  CAF_CHECK_EQUAL(refused(p("HTTPS://example.com/a.png")), "ok");
  // The part's own fields.
  CAF_CHECK_EQUAL(
      refused(parse_openai_request(openai_body(
          R"({"type":"image_url","image_url":{"url":"https://a.b/c","detail":"ultra"}})"))),
      "messages[0].content[0].image_url.detail");
  CAF_CHECK_EQUAL(refused(parse_openai_request(openai_body(
                      R"({"type":"image_url","image_url":{"url":"https://a.b/c","x":1}})"))),
                  "messages[0].content[0].image_url.x");
  CAF_CHECK_EQUAL(refused(parse_openai_request(openai_body(R"({"type":"image_url"})"))),
                  "messages[0].content[0].image_url");
}

CAF_TEST(images come in user turns only) {
  auto r = parse_openai_request(R"({"model":"m","messages":[{"role":"system","content":[)"
                                + openai_image_part(data_url("image/png", png)) + "]}]}");
  CAF_CHECK_EQUAL(refused(r), "messages[0].content[0].type");
  CAF_CHECK(code(r) == errc::unsupported);
  auto a = parse_anthropic_request(
      R"({"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[)"
      + anthropic_block("image/png", png) + "]}]}");
  CAF_CHECK_EQUAL(refused(a), "messages[0].content[0].type");
}

CAF_TEST(images and links are bounded) {
  limits small;
  small.max_image_bytes = 16;
  small.max_link_bytes = 28;
  small.max_images = 2;
  auto p = [&](const std::string& parts) {
    return parse_openai_request(openai_body(parts), small);
  };
  auto one = openai_image_part(data_url("image/jpeg", jpeg)); // 16 bytes of base64
  CAF_CHECK_EQUAL(refused(p(one)), "ok");
  CAF_CHECK_EQUAL(refused(p(openai_image_part(data_url("image/png", png)))),
                  "messages[0].content[0].image_url.url");
  CAF_CHECK_EQUAL(refused(p(openai_image_part("https://example.com/12345678"))), "ok");
  CAF_CHECK_EQUAL(refused(p(openai_image_part("https://example.com/123456789"))),
                  "messages[0].content[0].image_url.url");
  CAF_CHECK_EQUAL(refused(p(one + "," + one)), "ok");
  CAF_CHECK_EQUAL(refused(p(one + "," + one + "," + one)), "messages");
}

CAF_TEST(Anthropic image blocks and images in tool results) {
  auto r = parse_anthropic_request(
      R"({"model":"m","max_tokens":10,"messages":[
        {"role":"user","content":[{"type":"text","text":"see"},)"
      + anthropic_block("image/gif", gif) + R"(,
          {"type":"image","source":{"type":"url","url":"https://example.com/b.webp"}}]},
        {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"shot","input":{}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,
          "content":[{"type":"text","text":"blurred"},)"
      + anthropic_block("image/webp", webp) + "]}]}]}");
  CAF_REQUIRE(r);
  const auto& ms = r->request.messages;
  CAF_REQUIRE_EQUAL(ms.size(), 3u);
  CAF_CHECK_EQUAL(ms[0].content, "see");
  CAF_REQUIRE_EQUAL(ms[0].images.size(), 2u);
  CAF_CHECK_EQUAL(ms[0].images[0].media_type, "image/gif");
  CAF_CHECK_EQUAL(ms[0].images[0].at, 3u);
  CAF_CHECK_EQUAL(ms[0].images[1].url, "https://example.com/b.webp");
  CAF_CHECK(ms[2].who == role::tool);
  CAF_CHECK_EQUAL(ms[2].content, "Error: blurred");
  CAF_REQUIRE_EQUAL(ms[2].images.size(), 1u);
  // The error mark goes before the text, and the image stays after it.
  CAF_CHECK_EQUAL(ms[2].images[0].at, ms[2].content.size());
  CAF_CHECK_EQUAL(ms[2].images[0].data, webp);
}

CAF_TEST(a turn of nothing but an image is kept) {
  auto r = parse_anthropic_request(anthropic_body(anthropic_block("image/png", png)));
  CAF_REQUIRE(r);
  CAF_REQUIRE_EQUAL(r->request.messages.size(), 1u);
  CAF_CHECK_EQUAL(r->request.messages[0].images.size(), 1u);
}

CAF_TEST(Anthropic image refusals name the block) {
  auto p = [](const std::string& blocks) {
    return parse_anthropic_request(anthropic_body(blocks));
  };
  CAF_CHECK_EQUAL(refused(p(anthropic_block("image/png", jpeg))), "messages[0].content[0].source");
  CAF_CHECK_EQUAL(refused(p(anthropic_block("application/pdf", png))),
                  "messages[0].content[0].source");
  auto file = p(R"({"type":"image","source":{"type":"file","file_id":"f1"}})");
  CAF_CHECK_EQUAL(refused(file), "messages[0].content[0].source.type");
  CAF_CHECK(code(file) == errc::unsupported);
  CAF_CHECK_EQUAL(refused(p(R"({"type":"image","source":{"type":"url","url":"data:x"}})")),
                  "messages[0].content[0].source.url");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"image"})")), "messages[0].content[0].source");
  CAF_CHECK_EQUAL(refused(p(R"({"type":"image","source":{"type":"base64","media_type":"image/png",
      "data":")" + png + R"(","extra":1}})")),
                  "messages[0].content[0].source.extra");
}

CAF_TEST(Responses input images in messages and function outputs) {
  auto r = parse_responses_request(
      R"({"model":"m","input":[
        {"role":"user","content":[{"type":"input_text","text":"fix "},
          {"type":"input_image","image_url":")"
      + data_url("image/png", png) + R"(","detail":"high"}]},
        {"type":"function_call","call_id":"c1","name":"view","arguments":"{}"},
        {"type":"function_call_output","call_id":"c1","output":[
          {"type":"input_image","image_url":"https://example.com/s.png"}]}]})");
  CAF_REQUIRE(r);
  const auto& ms = r->request.messages;
  CAF_REQUIRE_EQUAL(ms.size(), 3u);
  CAF_CHECK_EQUAL(ms[0].content, "fix ");
  CAF_REQUIRE_EQUAL(ms[0].images.size(), 1u);
  CAF_CHECK_EQUAL(ms[0].images[0].detail, "high");
  CAF_CHECK_EQUAL(ms[0].images[0].at, 4u);
  CAF_REQUIRE_EQUAL(ms[2].images.size(), 1u);
  CAF_CHECK_EQUAL(ms[2].images[0].url, "https://example.com/s.png");
}

CAF_TEST(Responses image refusals name the part) {
  auto file = parse_responses_request(
      responses_body(R"({"type":"input_image","file_id":"file-1","image_url":null})"));
  CAF_CHECK_EQUAL(refused(file), "input[0].content[0].file_id");
  CAF_CHECK(code(file) == errc::unsupported);
  CAF_CHECK_EQUAL(refused(parse_responses_request(
                      responses_body(R"({"type":"input_image","image_url":"ftp://x/y"})"))),
                  "input[0].content[0].image_url");
  CAF_CHECK_EQUAL(refused(parse_responses_request(
                      responses_body(R"({"type":"input_image","image_url":"https://x/y","z":1})"))),
                  "input[0].content[0].z");
  auto assistant = parse_responses_request(
      R"({"model":"m","input":[{"role":"assistant","content":[{"type":"input_image",
          "image_url":"https://x/y"}]}]})");
  CAF_CHECK_EQUAL(refused(assistant), "input[0].content[0].type");
}
