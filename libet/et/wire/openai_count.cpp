// OpenAI's token counting (see detail/openai_count.hpp). The Responses API writes a
// conversation as a flat list of items, where Chat Completions nests tool calls in messages.

#include "et/wire/detail/openai_count.hpp"

#include "et/wire/detail/common.hpp"
#include "et/wire/detail/openai_images.hpp"

namespace et::wire::detail {

namespace json = boost::json;

namespace {

json::object text_item(std::string_view role, std::string_view text) {
  return {{"type", "message"}, {"role", role}, {"content", text}};
}

void add_items(json::array& items, const message& m) {
  switch (m.who) {
    case role::system:
      if (!m.content.empty())
        items.push_back(text_item("system", m.content));
      break;
    case role::user:
      if (!m.images.empty())
        items.push_back(json::object{{"type", "message"},
                                     {"role", "user"},
                                     {"content", openai_parts(m, part_style::responses)}});
      else if (!m.content.empty())
        items.push_back(text_item("user", m.content));
      break;
    case role::assistant:
      if (!m.content.empty())
        items.push_back(text_item("assistant", m.content));
      for (const auto& c : m.tool_calls)
        items.push_back(json::object{{"type", "function_call"},
                                     {"call_id", portable_id(c.id)},
                                     {"name", c.name},
                                     {"arguments", c.arguments.empty() ? "{}" : c.arguments}});
      break;
    case role::tool:
      items.push_back(json::object{{"type", "function_call_output"},
                                   {"call_id", portable_id(m.tool_call_id)},
                                   {"output", m.content}});
      break;
  }
}

} // namespace

json::object openai_input_tokens_body(const chat_request& req) {
  json::array items;
  // Tool images go where the chat request sends them, so that they are counted as sent.
  tool_images pending{part_style::responses};
  for (const auto& m : req.messages) {
    if (m.who != role::tool)
      pending.flush(items);
    add_items(items, m);
    pending.add(m);
  }
  pending.flush(items);
  json::object o{{"model", req.model}, {"input", std::move(items)}};
  if (!req.tools.empty()) {
    json::array tools;
    for (const auto& t : req.tools) {
      json::object tool{{"type", "function"}, {"name", t.name}, {"parameters", tool_schema(t)}};
      if (!t.description.empty())
        tool["description"] = t.description;
      tools.push_back(std::move(tool));
    }
    o["tools"] = std::move(tools);
  }
  return o;
}

result<http_request> openai_count_request(std::string_view path, bool official,
                                          const chat_request& req) {
  // Only api.openai.com counts: compatible servers have no counting endpoint, and what they
  // answer an unknown path with (404, 400, 405) would not tell "cannot count" from a failure.
  if (!official)
    return make_failure(errc::unsupported,
                        "token counting is supported at api.openai.com only (POST "
                        "/responses/input_tokens); compatible servers have no token-counting "
                        "endpoint");
  if (req.model.empty())
    return make_failure(errc::invalid_input, "a token-count request needs a model");
  return post_json(std::string{path} + "/responses/input_tokens", openai_input_tokens_body(req),
                   false);
}

} // namespace et::wire::detail
