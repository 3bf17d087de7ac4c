#pragma once
// Turns with images for the codec suites, and exact comparison of the JSON they encode to.

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "et/llm/chat.hpp"

namespace et::wire::test {

/// The start of a PNG in base64 (a codec never looks inside).
inline const std::string png_data = "iVBORw0KGgo=";
/// The start of a JPEG in base64.
inline const std::string jpeg_data = "/9j/4AAQ";
/// A link an upstream would fetch.
inline const std::string cat_link = "https://example.org/cat.jpg";

/// A request of `model` for `turns`.
inline chat_request request_of(std::string model, std::vector<message> turns) {
  chat_request req;
  req.model = std::move(model);
  req.messages = std::move(turns);
  return req;
}

/// A plain user turn.
inline message user_says(std::string text) {
  return message{role::user, std::move(text), {}, {}, {}};
}

/// An image by its bytes at byte `at` of its turn's text.
inline image bytes_image(std::string media_type, std::string data, std::size_t at,
                         std::string detail = "") {
  return image{std::move(media_type), std::move(data), "", std::move(detail), at};
}

/// An image by link at byte `at` of its turn's text.
inline image link_image(std::size_t at, std::string detail = "") {
  return image{"", "", cat_link, std::move(detail), at};
}

/// "Look: ", a PNG (detail high), "and here: ", the cat by link, "done".
inline message user_with_images() {
  auto m = user_says("Look: and here: done");
  m.images = {bytes_image("image/png", png_data, 6, "high"), link_image(16)};
  return m;
}

/// user_with_images with a JPEG's bytes instead of the link, for protocols without links.
inline message user_with_bytes_only() {
  auto m = user_with_images();
  m.images[1] = bytes_image("image/jpeg", jpeg_data, 16);
  return m;
}

/// The result of tool call `id`: `text`, then `pictures`.
inline message tool_with_images(std::string id, std::string text, std::vector<image> pictures) {
  message m{role::tool, std::move(text), {}, std::move(id), "shoot"};
  m.images = std::move(pictures);
  return m;
}

/// "take pictures", three calls of "shoot", their results ("front" and a PNG; "none"; the cat by
/// link, detail low, then "back" and a JPEG) and "compare them". `with_link` false sends the
/// cat's bytes instead, for protocols without links.
inline std::vector<message> tool_round_with_images(bool with_link = true) {
  message calls{role::assistant,
                "",
                {{"call_1", "shoot", "{}"}, {"call_2", "shoot", "{}"}, {"call_3", "shoot", "{}"}},
                {},
                {}};
  auto cat = with_link ? link_image(0, "low") : bytes_image("image/gif", "R0lGODlh", 0, "low");
  return {user_says("take pictures"),
          calls,
          tool_with_images("call_1", "front", {bytes_image("image/png", png_data, 5)}),
          tool_with_images("call_2", "none", {}),
          tool_with_images("call_3", "back", {cat, bytes_image("image/jpeg", jpeg_data, 4)}),
          user_says("compare them")};
}

/// The three calls of tool_round_with_images in a protocol's spelling: `call` three times,
/// comma-separated, with its '#' (if any) as 1, 2 and 3.
inline std::string three_calls(std::string_view call) {
  std::string out;
  for (char n : {'1', '2', '3'}) {
    std::string one{call};
    if (auto at = one.find('#'); at != std::string::npos)
      one[at] = n;
    out += (out.empty() ? "" : ",") + one;
  }
  return out;
}

/// JSON written readably in a test, as the compact text a codec writes.
inline std::string compact(std::string_view text) {
  return boost::json::serialize(boost::json::parse(text));
}

/// The member `key` of the JSON body `body`, as compact text.
inline std::string member(std::string_view body, std::string_view key) {
  return boost::json::serialize(
      boost::json::parse(body).as_object().at(boost::json::string_view{key.data(), key.size()}));
}

} // namespace et::wire::test
