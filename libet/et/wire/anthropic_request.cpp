// Anthropic Messages API: the request body (see detail/anthropic_request.hpp).

#include "et/wire/detail/anthropic_request.hpp"

#include "et/wire/detail/anthropic_thinking.hpp"
#include "et/wire/detail/common.hpp"

namespace et::wire::detail {

namespace json = boost::json;

namespace {

// The API requires max_tokens; 4096 fits every current model's output limit.
constexpr int32_t default_max_tokens = 4096;

// Consecutive turns of one role are merged: the API wants alternating roles,
// and all results of one round of tool calls in a single user turn.
class message_builder {
public:
  void add(std::string_view role_name, json::object block) {
    if (messages_.empty() || get_string(messages_.back().as_object(), "role") != role_name)
      messages_.push_back(json::object{{"role", role_name}, {"content", json::array{}}});
    messages_.back().as_object()["content"].as_array().push_back(std::move(block));
  }
  json::array take() { return std::move(messages_); }

private:
  json::array messages_;
};

json::object text_block(std::string_view text) {
  return {{"type", "text"}, {"text", text}};
}

// Anthropic has no resolution hint: the detail is dropped.
json::object image_block(const image& i) {
  json::object source =
      i.url.empty()
          ? json::object{{"type", "base64"}, {"media_type", i.media_type}, {"data", i.data}}
          : json::object{{"type", "url"}, {"url", i.url}};
  if (!is_document(i))
    return {{"type", "image"}, {"source", std::move(source)}};
  json::object block{{"type", "document"}, {"source", std::move(source)}};
  if (!i.name.empty())
    block["title"] = i.name;
  return block;
}

// The text and images of `m` as blocks in the client's order. The API rejects text blocks of
// nothing but whitespace, such as the line break a client puts between two images: beside
// images those runs go, and their whitespace with them. A turn without images keeps its text,
// whatever it is, so that a turn is never lost.
json::array content_blocks(const message& m) {
  json::array blocks;
  for_each_part(
      m,
      [&](std::string_view text) {
        if (m.images.empty() || text.find_first_not_of(" \t\r\n") != std::string_view::npos)
          blocks.push_back(text_block(text));
      },
      [&](const image& i) { blocks.push_back(image_block(i)); });
  return blocks;
}

// A result with images is a list of blocks; one without stays the plain text it always was.
json::object tool_result_block(const message& m) {
  json::object block{{"type", "tool_result"}, {"tool_use_id", portable_id(m.tool_call_id)}};
  if (m.images.empty())
    block["content"] = m.content;
  else
    block["content"] = content_blocks(m);
  return block;
}

// `thinking`: the request thinks, so assistant turns carry their signed thinking first.
void add_message(message_builder& b, const message& m, bool thinking) {
  switch (m.who) {
    case role::system:
      break; // collected into the top-level system field
    case role::user:
      for (auto& block : content_blocks(m))
        b.add("user", std::move(block.as_object()));
      break;
    case role::assistant:
      if (thinking)
        for (const auto& t : m.thoughts)
          b.add("assistant", thought_block(t));
      if (!m.content.empty())
        b.add("assistant", text_block(m.content));
      for (const auto& c : m.tool_calls)
        b.add("assistant", {{"type", "tool_use"},
                            {"id", portable_id(c.id)},
                            {"name", c.name},
                            {"input", object_or_empty(c.arguments)}});
      break;
    case role::tool:
      b.add("user", tool_result_block(m));
      break;
  }
}

} // namespace

json::object anthropic_request_body(const chat_request& req, bool stream) {
  json::array system;
  message_builder b;
  auto max_tokens = req.max_tokens.value_or(default_max_tokens);
  bool thinking = thinking_on(req, max_tokens);
  for (const auto& m : req.messages) {
    if (m.who == role::system && !m.content.empty())
      system.push_back(text_block(m.content));
    add_message(b, m, thinking);
  }
  json::object o{{"model", req.model}, {"max_tokens", max_tokens}, {"messages", b.take()}};
  if (system.size() == 1)
    o["system"] = system.front().as_object()["text"];
  else if (!system.empty())
    o["system"] = std::move(system);
  if (!req.tools.empty()) {
    json::array tools;
    for (const auto& t : req.tools) {
      json::object tool{{"name", t.name}, {"input_schema", tool_schema(t)}};
      if (!t.description.empty())
        tool["description"] = t.description;
      tools.push_back(std::move(tool));
    }
    o["tools"] = std::move(tools);
  }
  if (req.temperature)
    o["temperature"] = *req.temperature;
  if (req.top_p)
    o["top_p"] = *req.top_p;
  if (!req.stop.empty()) {
    json::array stop;
    for (const auto& s : req.stop)
      stop.emplace_back(s);
    o["stop_sequences"] = std::move(stop);
  }
  add_thinking(o, req, max_tokens, thinking);
  if (stream)
    o["stream"] = true;
  return o;
}

json::object anthropic_count_body(const chat_request& req) {
  auto o = anthropic_request_body(req, false);
  // count_tokens refuses these as extra inputs: they shape the answer, not the prompt.
  for (auto key : {"max_tokens", "temperature", "top_p", "stop_sequences"})
    o.erase(key);
  return o;
}

} // namespace et::wire::detail
