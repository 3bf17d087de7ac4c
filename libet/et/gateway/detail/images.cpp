// Images in client requests (see images.hpp). Each image is checked as far as the gateway can
// without fetching or decoding it whole: a link is an http(s) address of printable characters;
// bytes are well-formed base64 of a bounded size, of a media type every upstream takes, whose
// first bytes are that type's signature (an upstream refuses a mismatch with an error that
// names neither the message nor the part).

#include "et/gateway/detail/images.hpp"

#include <array>
#include <cctype>

#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/tools.hpp"
#include "et/gateway/errors.hpp"

namespace et::gateway::detail {

namespace {

// The media types every upstream protocol takes, with the bytes their files begin with (WebP:
// "RIFF", four bytes of length, "WEBP"; '?' stands for any byte).
struct image_type {
  std::string_view name;
  std::string_view signature;
};
constexpr std::array<image_type, 4> image_types{{{"image/png", "\x89PNG\r\n\x1a\n"},
                                                 {"image/jpeg", "\xff\xd8\xff"},
                                                 {"image/gif", "GIF8"},
                                                 {"image/webp", "RIFF????WEBP"}}};

const image_type* known_type(std::string_view name) {
  for (const auto& t : image_types)
    if (t.name == name)
      return &t;
  return nullptr;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

// Standard base64 with its padding: the alphabet only, '=' only as the last one or two.
bool well_formed_base64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0)
    return false;
  auto body = s;
  for (int pad = 0; pad < 2 && !body.empty() && body.back() == '='; ++pad)
    body.remove_suffix(1);
  for (char c : body)
    if (base64_value(c) < 0)
      return false;
  return true;
}

// The first bytes of base64 text (at most 12: enough for every signature).
std::string leading_bytes(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i + 4 <= s.size() && out.size() < 12; i += 4) {
    uint32_t bits = 0;
    int got = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      int v = base64_value(s[i + j]);
      if (v < 0)
        break;
      bits = (bits << 6) | static_cast<uint32_t>(v);
      ++got;
    }
    bits <<= 6 * (4 - got);
    for (int b = 0; b < got - 1; ++b)
      out.push_back(static_cast<char>((bits >> (16 - 8 * b)) & 0xff));
  }
  return out;
}

bool begins_as(std::string_view bytes, std::string_view signature) {
  if (bytes.size() < signature.size())
    return false;
  for (std::size_t i = 0; i < signature.size(); ++i)
    if (signature[i] != '?' && bytes[i] != signature[i])
      return false;
  return true;
}

// A media type as upstreams spell it: lower case, and image/jpg (which clients write and no
// upstream takes) as image/jpeg.
std::string canonical_type(std::string_view media_type) {
  std::string out{media_type};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out == "image/jpg" ? std::string{"image/jpeg"} : out;
}

// An image's bytes: a known media type, bounded well-formed base64 that begins as that type.
result<image> image_bytes(std::string_view media_type, std::string data, const std::string& field,
                          const limits& bounds) {
  const auto* type = known_type(canonical_type(media_type));
  if (type == nullptr)
    return unsupported_field(field, "images of type " + printable(media_type, 64)
                                        + " are not supported: use image/png, image/jpeg, "
                                          "image/gif or image/webp");
  if (data.size() > bounds.max_image_bytes)
    return bad_field(field, "an image larger than " + std::to_string(bounds.max_image_bytes)
                                + " bytes of base64");
  if (!well_formed_base64(data))
    return bad_field(field, "the image data is not base64");
  if (!begins_as(leading_bytes(data), type->signature))
    return bad_field(field, "the image data is not a " + std::string{type->name} + " file");
  return image{std::string{type->name}, std::move(data), {}, {}, 0};
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
      return false;
  return true;
}

// A link the upstream fetches: http(s), a host, printable characters only, bounded.
result<image> image_link(std::string_view link, const std::string& field, const limits& bounds) {
  if (link.size() > bounds.max_link_bytes)
    return bad_field(field,
                     "a link longer than " + std::to_string(bounds.max_link_bytes) + " bytes");
  auto rest = starts_with_nocase(link, "https://")  ? link.substr(8)
              : starts_with_nocase(link, "http://") ? link.substr(7)
                                                    : std::string_view{};
  if (rest.empty() || rest.front() == '/')
    return bad_field(field, "expected an http(s) link or a data:image/...;base64, URL");
  for (char c : link)
    if (c <= ' ' || c > '~')
      return bad_field(field, "a link with spaces or control characters");
  return image{{}, {}, std::string{link}, {}, 0};
}

// Where ";base64," starts in `s`, written in any case: like the media type, RFC 2397's
// token is case-insensitive, and some clients write ";BASE64,".
std::size_t base64_marker(std::string_view s) {
  for (auto at = s.find(';'); at != std::string_view::npos; at = s.find(';', at + 1))
    if (starts_with_nocase(s.substr(at), ";base64,"))
      return at;
  return std::string_view::npos;
}

// A data URL (data:image/png;base64,...) or a link.
result<image> image_of_url(std::string url, const std::string& field, const limits& bounds) {
  if (!starts_with_nocase(url, "data:"))
    return image_link(url, field, bounds);
  auto rest = std::string_view{url}.substr(5);
  auto marker = base64_marker(rest);
  if (marker == std::string_view::npos)
    return bad_field(field, "expected a data:image/...;base64, URL");
  // The data stays in the URL's own string, its prefix cut off: an image is copied only once.
  auto media_type = std::string{rest.substr(0, marker)};
  url.erase(0, 5 + marker + 8);
  return image_bytes(media_type, std::move(url), field, bounds);
}

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
  auto out = image_of_url(std::move(*url), field + "." + key, bounds);
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
  const auto* source = part.if_contains("source");
  auto f = field + ".source";
  if (source == nullptr || !source->is_object())
    return bad_field(f, "expected an object");
  const auto& o = source->get_object();
  auto kind = required_string(o, "type", f, 32);
  if (!kind)
    return std::move(kind).error();
  if (*kind == "url") {
    if (auto ok = check_members(o, f, {"type", "url"}); !ok)
      return ok.error();
    auto link = required_string(o, "url", f, bounds.max_link_bytes);
    if (!link)
      return std::move(link).error();
    return image_link(*link, f + ".url", bounds);
  }
  if (*kind != "base64")
    return unsupported_field(f + ".type", "only base64 and url image sources are supported "
                                          "(this gateway stores no files)");
  if (auto ok = check_members(o, f, {"type", "media_type", "data"}); !ok)
    return ok.error();
  auto media_type = required_string(o, "media_type", f, 64);
  auto data = required_string(o, "data", f, bounds.max_image_bytes);
  if (!media_type)
    return std::move(media_type).error();
  if (!data)
    return std::move(data).error();
  return image_bytes(*media_type, std::move(*data), f, bounds);
}

result<void> parts_into(const json::value& v, std::string_view field, const limits& bounds,
                        const part_kinds& kinds, message& turn) {
  auto grow = [&](std::string_view text) -> result<void> {
    if (turn.content.size() + text.size() > bounds.max_string_bytes)
      return bad_field(field, "longer than " + std::to_string(bounds.max_string_bytes) + " bytes");
    turn.content += text;
    return {};
  };
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
      auto picture = kinds.read_image(part, name, bounds);
      if (!picture)
        return std::move(picture).error();
      picture->at = turn.content.size();
      turn.images.push_back(std::move(*picture));
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
    return bad_field(field, "more than " + std::to_string(bounds.max_images) + " images");
  return {};
}

} // namespace et::gateway::detail
