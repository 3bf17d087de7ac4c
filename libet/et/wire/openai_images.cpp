// Images in OpenAI requests (see detail/openai_images.hpp).

#include "et/wire/detail/openai_images.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "et/wire/detail/common.hpp"
#include "et/wire/detail/images.hpp"

namespace et::wire::detail {

namespace json = boost::json;

namespace {

json::object text_part(std::string_view text, part_style style) {
  if (style == part_style::responses)
    return {{"type", "input_text"}, {"text", text}};
  return {{"type", "text"}, {"text", text}};
}

bool ends_with_pdf(std::string_view name) {
  if (name.size() < 4)
    return false;
  auto tail = name.substr(name.size() - 4);
  for (std::size_t k = 0; k < 4; ++k)
    if (std::tolower(static_cast<unsigned char>(tail[k])) != ".pdf"[k])
      return false;
  return true;
}

// A PDF as a file part: its bytes as a data URL, or (Responses only: Chat Completions takes
// none, openai.cpp refuses them) its link. OpenAI wants a file name with the bytes.
json::object file_part(const image& i, part_style style) {
  auto name = i.name.empty() ? std::string{"document"} : i.name;
  if (!ends_with_pdf(name)) // an Anthropic title is no file name; OpenAI may go by the ending
    name += ".pdf";
  if (style == part_style::responses) {
    if (!i.url.empty())
      return {{"type", "input_file"}, {"file_url", i.url}};
    return {{"type", "input_file"}, {"filename", name}, {"file_data", image_url(i)}};
  }
  return {{"type", "file"}, {"file", {{"filename", name}, {"file_data", image_url(i)}}}};
}

// Chat Completions leaves the detail out to mean auto; the Responses API documents it as a
// required member.
json::object image_part(const image& i, part_style style) {
  if (is_document(i))
    return file_part(i, style);
  if (style == part_style::responses)
    return {{"type", "input_image"},
            {"image_url", image_url(i)},
            {"detail", i.detail.empty() ? "auto" : i.detail}};
  json::object url{{"url", image_url(i)}};
  if (!i.detail.empty())
    url["detail"] = i.detail;
  return {{"type", "image_url"}, {"image_url", std::move(url)}};
}

// A turn as Chat Completions writes it, its text as one string.
json::object message_json(const message& m) {
  json::object o{{"role", to_string(m.who)}};
  if (m.who == role::tool) {
    o["tool_call_id"] = portable_id(m.tool_call_id);
    o["content"] = m.content;
    return o;
  }
  // An assistant turn that only calls tools has content null, not "".
  if (m.content.empty() && !m.tool_calls.empty())
    o["content"] = nullptr;
  else
    o["content"] = m.content;
  if (!m.tool_calls.empty()) {
    json::array calls;
    for (const auto& c : m.tool_calls)
      calls.push_back(json::object{
          {"id", portable_id(c.id)},
          {"type", "function"},
          {"function",
           {{"name", c.name}, {"arguments", c.arguments.empty() ? "{}" : c.arguments}}}});
    o["tool_calls"] = std::move(calls);
  }
  return o;
}

} // namespace

json::array openai_parts(const message& m, part_style style) {
  json::array parts;
  for_each_part(
      m, [&](std::string_view text) { parts.push_back(text_part(text, style)); },
      [&](const image& i) { parts.push_back(image_part(i, style)); });
  return parts;
}

void tool_images::add(const message& m) {
  if (m.who != role::tool || m.images.empty())
    return;
  // The label tells the model which result the attachments belong to, as a round may have
  // several.
  bool documents = std::any_of(m.images.begin(), m.images.end(), is_document);
  parts_.push_back(text_part(std::string{documents ? "Attachments" : "Images"}
                                 + " in the result of tool call "
                                 + std::string{portable_id(m.tool_call_id)} + ":",
                             style_));
  for (const auto& i : m.images)
    parts_.push_back(image_part(i, style_));
}

void tool_images::flush(json::array& out) {
  if (parts_.empty())
    return;
  json::object turn;
  if (style_ == part_style::responses) // the Responses API's input items are typed
    turn["type"] = "message";
  turn["role"] = "user";
  turn["content"] = std::exchange(parts_, json::array{});
  out.push_back(std::move(turn));
}

json::array openai_messages(const std::vector<message>& turns) {
  json::array out;
  tool_images pending{part_style::chat};
  for (const auto& m : turns) {
    if (m.who != role::tool)
      pending.flush(out);
    auto o = message_json(m);
    if (m.who == role::user && !m.images.empty())
      o["content"] = openai_parts(m, part_style::chat);
    out.push_back(std::move(o));
    pending.add(m);
  }
  pending.flush(out);
  return out;
}

} // namespace et::wire::detail
