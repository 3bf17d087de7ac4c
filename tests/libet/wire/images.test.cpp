#define CAF_SUITE libet.wire.images
#include "caf/test/unit_test.hpp"

// What every protocol's images share: where a link may go, and text runs around images that an
// upstream would refuse.

#include "image_test_support.hpp"
#include "wire_test_support.hpp"

using namespace et;
using namespace et::wire;
using et::wire::test::name;
namespace json = boost::json;

namespace {

config::provider at(config::provider_type type, std::string base_url) {
  auto p = test::make_provider(type);
  p.name = "local";
  p.base_url = std::move(base_url);
  return p;
}

} // namespace

CAF_TEST(links go only to the providers own clouds) {
  auto req = test::request_of("m", {test::user_with_images()});
  using config::provider_type;
  for (auto type : {provider_type::openai, provider_type::anthropic}) {
    CAF_MESSAGE(config::to_string(type));
    auto cloud = make_codec(test::make_provider(type));
    CAF_CHECK(cloud->chat(req, false).has_value());
    // A self-hosted server would fetch the link from inside et's network.
    auto local = make_codec(at(type, "http://10.0.0.5:8000/v1"));
    for (const auto& out : {local->chat(req, false), local->chat(req, true)}) {
      CAF_REQUIRE(!out.has_value());
      CAF_CHECK_EQUAL(name(out.error().code), "unsupported");
      CAF_CHECK(out.error().message.starts_with(
          "local: links to images and documents go only to api.openai.com"));
    }
    // Its bytes go anywhere.
    auto bytes = test::request_of("m", {test::user_with_bytes_only()});
    CAF_CHECK(local->chat(bytes, false).has_value());
  }
  auto count = make_codec(at(provider_type::anthropic, "http://127.0.0.1:9"))->count_tokens(req);
  CAF_CHECK(!count.has_value());
}

CAF_TEST(anthropic gets no text block of nothing but whitespace between images) {
  auto m = test::user_says("\n\nsee\n");
  m.images = {test::bytes_image("image/png", test::png_data, 0),
              test::bytes_image("image/jpeg", test::jpeg_data, 1),
              test::bytes_image("image/png", test::png_data, 6)};
  auto out = make_codec(test::make_provider(config::provider_type::anthropic))
                 ->chat(test::request_of("m", {m}), false);
  CAF_REQUIRE(out.has_value());
  auto content = json::parse(out->body).at("messages").at(0).at("content");
  std::string kinds;
  for (const auto& b : content.as_array())
    kinds += std::string{b.at("type").as_string()} + " ";
  // image, "\n" (dropped), image, "\nsee\n", image
  CAF_CHECK_EQUAL(kinds, "image image text image ");
  CAF_CHECK_EQUAL(content.at(2).at("text").as_string(), "\nsee\n");
}

CAF_TEST(a turn of only whitespace and no images keeps its text) {
  auto req = test::request_of("m", {test::user_says("hi"), test::user_says("\n")});
  req.messages.insert(req.messages.begin() + 1, message{role::assistant, "Hello", {}, {}, {}});
  auto out = make_codec(test::make_provider(config::provider_type::anthropic))->chat(req, false);
  CAF_REQUIRE(out.has_value());
  auto body = json::parse(out->body);
  const auto& messages = body.at("messages").as_array();
  CAF_REQUIRE_EQUAL(messages.size(), 3u);
  CAF_CHECK_EQUAL(messages.back().at("role").as_string(), "user");
}
