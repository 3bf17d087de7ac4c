// Token estimates of images and PDF documents (see attachments.hpp).

#include "et/cost/attachments.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "et/cost/reports.hpp"
#include "et/util/encode.hpp"

namespace et::cost {

namespace {

bool pdf_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\0';
}

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// The longest key looked for ("/Type", at most 18 spaces, "/ObjStm" and the character after;
// "/Size", its spaces and number): what a piece keeps of the one before. A key spaced out
// further is not seen.
constexpr std::size_t max_key = 32;

// The bytes at the start of a PDF where a linearization dictionary stands.
constexpr std::size_t head_bytes = 2048;

// What a pass over a PDF's bytes finds.
struct pdf_signs {
  std::size_t page_objects = 0;     // "/Type /Page" keys
  bool object_streams = false;      // "/Type /ObjStm": objects, pages among them, compressed
  std::size_t linearized_pages = 0; // "/N" of a linearization dictionary
  std::size_t objects = 0;          // the most "/Size" of a trailer or cross-reference stream
};

// A name key "/Type" then `value` (as "/Page"), not continued by a name character; the offset
// just past it (with its lookahead character), or npos. At the end of the data (`last`) the key
// may end the text.
std::size_t type_key(std::string_view text, std::size_t at, std::string_view value, bool last) {
  auto p = at + 5;
  while (p < text.size() && p - at < max_key - 8 && pdf_space(text[p]))
    ++p;
  if (text.substr(p, value.size()) != value)
    return std::string_view::npos;
  auto end = p + value.size();
  if (end == text.size() ? !last : name_char(text[end]))
    return std::string_view::npos;
  return end + 1;
}

// The number after `at` (spaces first, at most 10 digits); nullopt when it may go on past the
// text (not `last`) or there is none.
std::optional<std::size_t> number_at(std::string_view text, std::size_t at, bool last) {
  auto p = at;
  while (p < text.size() && p - at < 8 && pdf_space(text[p]))
    ++p;
  std::size_t n = 0;
  auto first = p;
  for (;
       p < text.size() && p - first < 10 && std::isdigit(static_cast<unsigned char>(text[p])) != 0;
       ++p)
    n = n * 10 + static_cast<std::size_t>(text[p] - '0');
  if (p == first || (p == text.size() && !last))
    return std::nullopt;
  return n;
}

// The keys in `text` that end past `from` (those ending before were seen in the piece before).
void scan(std::string_view text, std::size_t from, bool last, pdf_signs& signs) {
  for (auto at = text.find("/Size"); at != std::string_view::npos; at = text.find("/Size", at + 1))
    if (at + 5 < text.size() && !name_char(text[at + 5]))
      if (auto n = number_at(text, at + 5, last))
        signs.objects = std::max(signs.objects, *n);
  for (auto at = text.find("/Type"); at != std::string_view::npos;
       at = text.find("/Type", at + 1)) {
    if (auto end = type_key(text, at, "/Page", last); end != std::string_view::npos)
      signs.page_objects += end > from ? 1 : 0;
    else if (type_key(text, at, "/ObjStm", last) != std::string_view::npos)
      signs.object_streams = true;
  }
}

// The page count a linearized PDF states at its start: "/Linearized 1 ... /N 12".
std::size_t linearized_pages(std::string_view head) {
  auto at = head.find("/Linearized");
  if (at == std::string_view::npos)
    return 0;
  auto dict = head.substr(at, 512);
  for (auto n = dict.find("/N"); n != std::string_view::npos; n = dict.find("/N", n + 1)) {
    auto p = n + 2;
    if (p < dict.size() && name_char(dict[p]))
      continue; // "/NameX", not "/N"
    while (p < dict.size() && pdf_space(dict[p]))
      ++p;
    std::size_t pages = 0;
    for (; p < dict.size() && std::isdigit(static_cast<unsigned char>(dict[p])) != 0; ++p)
      pages = std::min<std::size_t>(pages * 10 + static_cast<std::size_t>(dict[p] - '0'), 1u << 20);
    return pages;
  }
  return 0;
}

std::size_t pages_by_size(std::size_t base64_bytes) {
  return std::max<std::size_t>(1, (base64_bytes + base64_bytes_a_page - 1) / base64_bytes_a_page);
}

} // namespace

std::size_t estimate_pdf_pages(std::string_view data, std::size_t piece) {
  piece = std::max<std::size_t>(4, piece / 4 * 4); // whole base64 groups
  std::string text;
  std::string head; // the first head_bytes, whatever the pieces
  pdf_signs signs;
  for (std::size_t at = 0; at < data.size(); at += piece) {
    auto kept = std::min(text.size(), max_key);
    text.erase(0, text.size() - kept);
    if (!base64_decode_into(data.substr(at, piece), text))
      return pages_by_size(data.size());
    if (head.size() < head_bytes)
      head.append(std::string_view{text}.substr(kept, head_bytes - head.size()));
    scan(text, kept, at + piece >= data.size(), signs);
  }
  signs.linearized_pages = linearized_pages(head);
  auto pages = std::max(signs.page_objects, signs.linearized_pages);
  if (signs.object_streams || signs.page_objects == 0) {
    auto by_size = pages_by_size(data.size());
    if (signs.objects > 0)
      by_size = std::min(by_size, signs.objects);
    pages = std::max(pages, by_size);
  }
  return std::max<std::size_t>(pages, 1);
}

int64_t estimate_attachment_tokens(const image& i) {
  if (!is_document(i))
    return image_token_estimate;
  auto pages = i.pages > 0      ? i.pages
               : !i.url.empty() ? unseen_link_pages
                                : pages_by_size(i.data.size());
  return static_cast<int64_t>(pages) * pdf_page_token_estimate;
}

int64_t estimate_prompt_tokens(const chat_request& req) {
  // Everything a provider bills as input, not the turns' text alone: a request of huge tool
  // schemas or call arguments and a few words of text is not a cheap one.
  size_t bytes = 0;
  int64_t attachments = 0;
  for (const auto& m : req.messages) {
    bytes += m.content.size() + m.name.size() + m.tool_call_id.size();
    for (const auto& c : m.tool_calls)
      bytes += c.id.size() + c.name.size() + c.arguments.size();
    for (const auto& t : m.thoughts)
      bytes += t.text.size() + t.redacted.size();
    for (const auto& i : m.images)
      attachments += estimate_attachment_tokens(i);
  }
  for (const auto& t : req.tools)
    bytes += t.name.size() + t.description.size() + t.parameters.size();
  for (const auto& s : req.stop)
    bytes += s.size();
  bytes += req.format.name.size() + req.format.schema.size();
  return estimate_tokens(bytes) + attachments;
}

} // namespace et::cost
