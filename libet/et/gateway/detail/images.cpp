// Images in client requests (see images.hpp); their bytes and links are checked as every
// attachment is (attachments.cpp).

#include "et/gateway/detail/images.hpp"

#include "et/gateway/detail/attachments.hpp"
#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/tools.hpp"
#include "et/gateway/errors.hpp"

namespace et::gateway::detail {

namespace {

// OpenAI's `detail`: auto, low, high (or absent).
result<std::string> detail_of(const json::object& o, const std::string& field) {
  if (const auto* d = o.if_contains("detail"); d == nullptr || d->is_null())
    return std::string{};
  if (auto ok = one_of(o, "detail", field, {"auto", "low", "high"}); !ok)
    return ok.error();
  return std::string{view(o.at("detail").get_string())};
}

// The image whose data URL or link is the member `key` of `o` (named `field`), with o's detail:
// how both OpenAI APIs write one.
result<image> url_image(const json::object& o, const char* key, const std::string& field,
                        const limits& bounds) {
  auto url = required_string(o, key, field, bounds.max_image_bytes + 64);
  auto detail = detail_of(o, field);
  if (!url)
    return std::move(url).error();
  if (!detail)
    return std::move(detail).error();
  auto out = attachment_of_url(std::move(*url), field + "." + key, bounds, attachment::image);
  if (out)
    out->detail = std::move(*detail);
  return out;
}

} // namespace

result<image> openai_image(const json::object& part, const std::string& field,
                           const limits& bounds) {
  if (auto ok = check_members(part, field, {"type", "image_url"}); !ok)
    return ok.error();
  const auto* inner = part.if_contains("image_url");
  if (inner == nullptr || !inner->is_object())
    return bad_field(field + ".image_url", "expected an object");
  auto f = field + ".image_url";
  if (auto ok = check_members(inner->get_object(), f, {"url", "detail"}); !ok)
    return ok.error();
  return url_image(inner->get_object(), "url", f, bounds);
}

result<image> responses_image(const json::object& part, const std::string& field,
                              const limits& bounds) {
  if (auto ok = check_members(part, field, {"type", "image_url", "file_id", "detail"}); !ok)
    return ok.error();
  if (const auto* id = part.if_contains("file_id"); id != nullptr && !id->is_null())
    return unsupported_field(field + ".file_id", "this gateway stores no files: send the image "
                                                 "as a data URL or a link in image_url");
  return url_image(part, "image_url", field, bounds);
}

result<image> anthropic_image(const json::object& part, const std::string& field,
                              const limits& bounds) {
  if (auto ok = check_members(part, field, {"type", "source", "cache_control"}); !ok)
    return ok.error();
  return anthropic_source(part, field, bounds, attachment::image,
                          "only base64 and url image sources are supported (this gateway stores "
                          "no files)");
}

result<void> attach(result<image> picture, message& turn) {
  if (!picture)
    return std::move(picture).error();
  picture->at = turn.content.size();
  turn.images.push_back(std::move(*picture));
  return {};
}

result<void> append_text(message& turn, std::string_view text, std::string_view field,
                         const limits& bounds) {
  if (turn.content.size() + text.size() > bounds.max_string_bytes)
    return bad_field(field, "longer than " + std::to_string(bounds.max_string_bytes) + " bytes");
  turn.content += text;
  return {};
}

result<void> parts_into(const json::value& v, std::string_view field, const limits& bounds,
                        const part_kinds& kinds, message& turn) {
  auto grow = [&](std::string_view text) { return append_text(turn, text, field, bounds); };
  if (v.is_string()) {
    auto text = string_of(v, field, bounds.max_string_bytes);
    if (!text)
      return std::move(text).error();
    return grow(*text);
  }
  if (!v.is_array())
    return bad_field(field, "expected a string or an array of content parts");
  const auto* a = &v.get_array();
  if (a->size() > bounds.max_parts)
    return bad_field(field, "more than " + std::to_string(bounds.max_parts) + " content parts");
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto name = std::string{field} + "[" + std::to_string(i) + "]";
    if (!(*a)[i].is_object())
      return bad_field(name, "expected an object");
    const auto& part = (*a)[i].get_object();
    const auto* type = part.if_contains("type");
    if (type == nullptr || !type->is_string())
      return bad_field(name + ".type", "expected a string");
    auto kind = view(type->get_string());
    if (!kinds.image_type.empty() && kind == kinds.image_type) {
      if (auto ok = attach(kinds.read_image(part, name, bounds), turn); !ok)
        return ok;
      continue;
    }
    if (!kinds.document_type.empty() && kind == kinds.document_type) {
      if (auto ok = kinds.read_document(part, name, bounds, turn); !ok)
        return ok;
      continue;
    }
    if (!listed(kinds.text_types, kind))
      return unsupported_field(name + ".type", "content parts of type " + printable(kind, 32)
                                                   + " are not supported here by this gateway");
    if (!part.contains("text"))
      return bad_field(name + ".text", "missing");
    for (const auto& [key, value] : part) {
      auto k = view(key);
      if (k == "type")
        continue;
      if (k == "text") {
        auto text = string_of(value, name + ".text", bounds.max_string_bytes);
        if (!text)
          return std::move(text).error();
        if (auto ok = grow(*text); !ok)
          return ok;
      } else if (!listed(kinds.ignored, k)) {
        return bad_field(name + "." + std::string{k}, "unknown field");
      }
    }
  }
  return {};
}

result<void> count_images(const std::vector<message>& messages, std::string_view field,
                          const limits& bounds) {
  std::size_t n = 0;
  for (const auto& m : messages)
    n += m.images.size();
  if (n > bounds.max_images)
    return bad_field(field,
                     "more than " + std::to_string(bounds.max_images) + " images and documents");
  return {};
}

} // namespace et::gateway::detail
