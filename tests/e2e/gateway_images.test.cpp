#define CAF_SUITE e2e.gateway_images
#include "caf/test/unit_test.hpp"

// Images through the gateway: each client protocol's image parts reach each upstream protocol
// in the shape that upstream documents. The fake upstream bills every well-formed image 1,000
// prompt tokens (fake_upstream/images.hpp), so the usage a client gets back shows how many of
// its images arrived. Links go only to the providers' own clouds, none of which is here.

#include "gateway_fixture.hpp"

using namespace et::e2e::gw;

namespace {

const std::string png = "iVBORw0KGgoAAAAAAAAAAA==";
const std::string png_url = "data:image/png;base64," + png;
const std::string image_link = "https://example.com/screen.png";

// Two words of text around two images, in each client protocol.
std::string openai_images(const std::string& model, const std::string& url) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":[
      {"type":"text","text":"compare "},{"type":"image_url","image_url":{"url":")"
         + url + R"("}},{"type":"text","text":" these"},
      {"type":"image_url","image_url":{"url":")"
         + png_url + R"(","detail":"low"}}]}]})";
}

std::string anthropic_source(const std::string& url) {
  if (url.starts_with("data:"))
    return R"({"type":"base64","media_type":"image/png","data":")" + png + R"("})";
  return R"({"type":"url","url":")" + url + R"("})";
}

std::string anthropic_images(const std::string& model, const std::string& url) {
  return R"({"model":")" + model + R"(","max_tokens":64,"messages":[{"role":"user","content":[
      {"type":"text","text":"compare "},{"type":"image","source":)"
         + anthropic_source(url) + R"(},{"type":"text","text":" these"},
      {"type":"image","source":)"
         + anthropic_source(png_url) + "}]}]}";
}

std::string responses_images(const std::string& model, const std::string& url) {
  return R"({"model":")" + model + R"(","input":[{"role":"user","content":[
      {"type":"input_text","text":"compare "},{"type":"input_image","image_url":")"
         + url + R"("},{"type":"input_text","text":" these"},
      {"type":"input_image","image_url":")"
         + png_url + R"("}]}]})";
}

int64_t usage(const answer& a, const char* key) {
  auto v = json::parse(a.body);
  return v.at("usage").at(key).as_int64();
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(gateway_images_tests, fixture)

CAF_TEST(images reach every upstream protocol from every client protocol) {
  serve();
  for (const std::string model : {"gpt", "claude", "gem", "llama"}) {
    CAF_MESSAGE(model);
    auto o = openai(openai_images(model, png_url));
    CAF_REQUIRE_EQUAL(o.status, 200);
    CAF_CHECK_EQUAL(usage(o, "prompt_tokens"), 2002); // two words, two images
    auto a = anthropic(anthropic_images(model, png_url));
    CAF_REQUIRE_EQUAL(a.status, 200);
    CAF_CHECK_EQUAL(usage(a, "input_tokens"), 2002);
    auto r = call("POST", "/v1/responses", responses_images(model, png_url));
    CAF_REQUIRE_EQUAL(r.status, 200);
    CAF_CHECK_EQUAL(usage(r, "input_tokens"), 2002);
  }
}

CAF_TEST(links go to no upstream but the providers own clouds) {
  serve();
  // Every upstream here is on loopback: a server there would fetch the link from inside this
  // network (Gemini and Ollama take no links at all). Each refuses without cooling down.
  for (const std::string model : {"gpt", "claude", "gem", "llama", "team"}) {
    CAF_MESSAGE(model);
    auto o = openai(openai_images(model, image_link));
    CAF_CHECK_EQUAL(o.status, 400);
    CAF_CHECK(has(field(o.body, "error", "message"), "links to images"));
    CAF_CHECK(fixture::clean(o.body));
    auto a = anthropic(anthropic_images(model, image_link));
    CAF_CHECK_EQUAL(a.status, 400);
  }
  // The same images as bytes: every model answers (cooldown here starts at one failure).
  for (const std::string model : {"gpt", "claude", "gem", "llama"}) {
    auto o = openai(openai_images(model, png_url));
    CAF_CHECK_EQUAL(o.status, 200);
  }
}

CAF_TEST(images in tool results reach every upstream) {
  serve();
  const std::string turns = R"("messages":[
      {"role":"user","content":"look at the screen"},
      {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"screenshot","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[
        {"type":"text","text":"here"},{"type":"image","source":)"
                            + anthropic_source(png_url) + "}]}]}]";
  const std::string tools =
      R"(,"tools":[{"name":"screenshot","input_schema":{"type":"object","properties":{}}}])";
  for (const std::string model : {"gpt", "claude", "gem", "llama"}) {
    CAF_MESSAGE(model);
    auto a = anthropic(R"({"model":")" + model + R"(","max_tokens":64,)" + turns + tools + "}");
    CAF_REQUIRE_EQUAL(a.status, 200);
    // The image and the words of "look at the screen", with whatever words each protocol
    // counts of the tool call and its result: one image's worth, not two.
    CAF_CHECK_GREATER_OR_EQUAL(usage(a, "input_tokens"), 1004);
    CAF_CHECK_LESS(usage(a, "input_tokens"), 2000);
  }
}

CAF_TEST(count_tokens counts images) {
  serve();
  for (const std::string model : {"claude", "gem"}) {
    CAF_MESSAGE(model);
    auto body = anthropic_images(model, png_url);
    body.replace(body.find(R"("max_tokens":64,)"), 16, "");
    auto counted =
        call("POST", "/v1/messages/count_tokens", body, {{"anthropic-version", "2023-06-01"}});
    CAF_REQUIRE_EQUAL(counted.status, 200);
    CAF_CHECK_EQUAL(json::parse(counted.body).at("input_tokens").as_int64(), 2002);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
