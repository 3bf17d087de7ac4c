// What images and documents in client requests share (see attachments.hpp). Each attachment
// is checked as far as the gateway can without fetching or decoding it whole: a link is an
// http(s) address of printable characters; bytes are well-formed base64 of a bounded size, of
// a media type every upstream takes, whose first bytes are that type's signature (an upstream
// refuses a mismatch with an error that names neither the message nor the part).

#include "et/gateway/detail/attachments.hpp"

#include <array>
#include <cctype>

#include "et/cost/attachments.hpp"
#include "et/gateway/detail/fields.hpp"
#include "et/gateway/errors.hpp"
#include "et/util/encode.hpp"

namespace et::gateway::detail {

namespace {

// The media types the upstream protocols take, with the bytes their files begin with (WebP:
// "RIFF", four bytes of length, "WEBP"; '?' stands for any byte).
struct media_type {
  std::string_view name;
  std::string_view signature;
};
constexpr std::array<media_type, 5> media_types{{{"image/png", "\x89PNG\r\n\x1a\n"},
                                                 {"image/jpeg", "\xff\xd8\xff"},
                                                 {"image/gif", "GIF8"},
                                                 {"image/webp", "RIFF????WEBP"},
                                                 {pdf_media_type, "%PDF-"}}};

const media_type* known_type(std::string_view name) {
  for (const auto& t : media_types)
    if (t.name == name)
      return &t;
  return nullptr;
}

// The first bytes of well-formed base64 text (at most 12: enough for every signature).
std::string leading_bytes(std::string_view s) {
  std::string out;
  base64_decode_into(s.substr(0, 16), out);
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

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
      return false;
  return true;
}

// Where ";base64," starts in `s`, written in any case: like the media type, RFC 2397's
// token is case-insensitive, and some clients write ";BASE64,".
std::size_t base64_marker(std::string_view s) {
  for (auto at = s.find(';'); at != std::string_view::npos; at = s.find(';', at + 1))
    if (starts_with_nocase(s.substr(at), ";base64,"))
      return at;
  return std::string_view::npos;
}

} // namespace

result<image> attachment_bytes(std::string_view type_name, std::string data,
                               const std::string& field, const limits& bounds, attachment want) {
  const auto* type = known_type(canonical_type(type_name));
  bool pdf = type != nullptr && type->name == pdf_media_type;
  if (want == attachment::document && !pdf)
    return unsupported_field(field, "documents of type " + printable(type_name, 64)
                                        + " are not supported: use application/pdf");
  if (want == attachment::image && (type == nullptr || pdf))
    return unsupported_field(field, "images of type " + printable(type_name, 64)
                                        + " are not supported: use image/png, image/jpeg, "
                                          "image/gif or image/webp");
  std::string what = pdf ? "document" : "image";
  if (data.size() > bounds.max_image_bytes)
    return bad_field(field, (pdf ? "a " : "an ") + what + " larger than "
                                + std::to_string(bounds.max_image_bytes) + " bytes of base64");
  if (!well_formed_base64(data))
    return bad_field(field, "the " + what + " data is not base64");
  if (!begins_as(leading_bytes(data), type->signature))
    return bad_field(field, pdf ? std::string{"the document data is not a PDF file"}
                                : "the image data is not a " + std::string{type->name} + " file");
  image out{std::string{type->name}, std::move(data), {}, {}, 0};
  if (pdf) // counted once here, not at every budget check of every attempt
    out.pages = cost::estimate_pdf_pages(out.data);
  return out;
}

result<image> attachment_link(std::string_view link, const std::string& field, const limits& bounds,
                              attachment want) {
  if (link.size() > bounds.max_link_bytes)
    return bad_field(field,
                     "a link longer than " + std::to_string(bounds.max_link_bytes) + " bytes");
  auto rest = starts_with_nocase(link, "https://")  ? link.substr(8)
              : starts_with_nocase(link, "http://") ? link.substr(7)
                                                    : std::string_view{};
  if (rest.empty() || rest.front() == '/')
    return bad_field(field, want == attachment::document
                                ? "expected an http(s) link or a data:application/pdf;base64, URL"
                                : "expected an http(s) link or a data:image/...;base64, URL");
  for (char c : link)
    if (c <= ' ' || c > '~')
      return bad_field(field, "a link with spaces or control characters");
  // A document's link says what it is: the upstream protocols write those as files.
  return image{want == attachment::document ? std::string{pdf_media_type} : std::string{},
               {},
               std::string{link},
               {},
               0};
}

bool is_data_url(std::string_view text) {
  return starts_with_nocase(text, "data:");
}

result<image> attachment_of_url(std::string url, const std::string& field, const limits& bounds,
                                attachment want) {
  if (!is_data_url(url))
    return attachment_link(url, field, bounds, want);
  auto rest = std::string_view{url}.substr(5);
  auto marker = base64_marker(rest);
  if (marker == std::string_view::npos)
    return bad_field(field, want == attachment::document
                                ? "expected a data:application/pdf;base64, URL"
                                : "expected a data:image/...;base64, URL");
  // The data stays in the URL's own string, its prefix cut off: an image is copied only once.
  auto type_name = std::string{rest.substr(0, marker)};
  url.erase(0, 5 + marker + 8);
  return attachment_bytes(type_name, std::move(url), field, bounds, want);
}

result<image> anthropic_source(const json::object& part, const std::string& field,
                               const limits& bounds, attachment want, std::string_view others) {
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
    return attachment_link(*link, f + ".url", bounds, want);
  }
  if (*kind != "base64")
    return unsupported_field(f + ".type", others);
  if (auto ok = check_members(o, f, {"type", "media_type", "data"}); !ok)
    return ok.error();
  auto media_type = required_string(o, "media_type", f, 64);
  auto data = required_string(o, "data", f, bounds.max_image_bytes);
  if (!media_type)
    return std::move(media_type).error();
  if (!data)
    return std::move(data).error();
  return attachment_bytes(*media_type, std::move(*data), f, bounds, want);
}

} // namespace et::gateway::detail
