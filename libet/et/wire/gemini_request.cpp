// Gemini generateContent: the request body (see detail/gemini_request.hpp).

#include "et/wire/detail/gemini_request.hpp"

#include <vector>

#include "et/wire/detail/common.hpp"
#include "et/wire/detail/images.hpp"
#include "et/wire/detail/tool_policy.hpp"

namespace et::wire::detail {

namespace json = boost::json;

namespace {

// The API's schema dialect is an OpenAPI subset that rejects these JSON Schema
// keys; the names of a "properties" map are property names and stay.
void strip_schema(json::value& v, bool property_names = false) {
  if (auto* o = v.if_object()) {
    if (!property_names)
      for (auto key : {"$schema", "$id", "additionalProperties", "strict"})
        o->erase(key);
    for (auto& kv : *o)
      strip_schema(kv.value(), !property_names && kv.key() == "properties");
  } else if (auto* a = v.if_array()) {
    for (auto& e : *a)
      strip_schema(e);
  }
}

class content_builder {
public:
  void add(std::string_view role_name, json::object part) {
    if (contents_.empty() || get_string(contents_.back().as_object(), "role") != role_name)
      contents_.push_back(json::object{{"role", role_name}, {"parts", json::array{}}});
    contents_.back().as_object()["parts"].as_array().push_back(std::move(part));
  }
  json::array take() { return std::move(contents_); }

private:
  json::array contents_;
};

json::object call_part(const tool_call& c) {
  json::object part{{"functionCall", {{"name", c.name}, {"args", object_or_empty(c.arguments)}}}};
  if (auto at = c.id.find(gemini_signature_marker); at != std::string::npos)
    part["thoughtSignature"] = c.id.substr(at + gemini_signature_marker.size());
  return part;
}

// The API wants an object; plain text results are wrapped.
json::object response_part(const message& m, std::string_view name) {
  auto result = object_or_empty(m.content);
  if (result.empty() && m.content != "{}")
    result = {{"result", m.content}};
  return {{"functionResponse", {{"name", name}, {"response", std::move(result)}}}};
}

// Tool turns may lack the function's name; the call they answer has it.
std::string_view name_of_call(const chat_request& req, const message& result) {
  if (!result.name.empty())
    return result.name;
  for (const auto& m : req.messages)
    for (const auto& c : m.tool_calls)
      if (c.id == result.tool_call_id)
        return c.name;
  return {};
}

// Gemini has no resolution hint: the detail is dropped.
json::object image_part(const image& i) {
  return {{"inlineData", {{"mimeType", i.media_type}, {"data", i.data}}}};
}

// A user turn's text and images in the client's order.
void add_user_parts(content_builder& b, const message& m) {
  for_each_part(
      m,
      [&](std::string_view text) {
        b.add("user", {{"text", text}});
      },
      [&](const image& i) { b.add("user", image_part(i)); });
}

// A tool turn's images go after the responses of its whole round, as parts of the same turn,
// which every model reads (only newer ones take images inside a function response), and which
// keeps a round's responses together in the order of its calls.
json::array contents_json(const chat_request& req) {
  content_builder b;
  std::vector<const image*> held;
  auto flush = [&] {
    for (const auto* i : held)
      b.add("user", image_part(*i));
    held.clear();
  };
  for (const auto& m : req.messages) {
    if (m.who == role::tool) {
      b.add("user", response_part(m, name_of_call(req, m)));
      for (const auto& i : m.images)
        held.push_back(&i);
      continue;
    }
    flush();
    if (m.who == role::user)
      add_user_parts(b, m);
    if (m.who != role::assistant)
      continue;
    if (!m.content.empty())
      b.add("model", {{"text", m.content}});
    for (const auto& c : m.tool_calls)
      b.add("model", call_part(c));
  }
  flush();
  return b.take();
}

json::object generation_config(const chat_request& req) {
  json::object g;
  if (req.temperature)
    g["temperature"] = *req.temperature;
  if (req.top_p)
    g["topP"] = *req.top_p;
  if (req.max_tokens)
    g["maxOutputTokens"] = *req.max_tokens;
  if (!req.stop.empty()) {
    json::array stop;
    for (const auto& s : req.stop)
      stop.emplace_back(s);
    g["stopSequences"] = std::move(stop);
  }
  return g;
}

json::object body_of(const chat_request& req) {
  json::object o;
  json::array system;
  for (const auto& m : req.messages)
    if (m.who == role::system && !m.content.empty())
      system.push_back(json::object{{"text", m.content}});
  if (!system.empty())
    o["systemInstruction"] = {{"parts", std::move(system)}};
  o["contents"] = contents_json(req);
  if (!req.tools.empty()) {
    json::array decls;
    for (const auto& t : req.tools) {
      json::value params = object_or_empty(t.parameters);
      strip_schema(params);
      json::object d{{"name", t.name}};
      if (!t.description.empty())
        d["description"] = t.description;
      if (!params.as_object().empty())
        d["parameters"] = std::move(params);
      decls.push_back(std::move(d));
    }
    o["tools"] = json::array{json::object{{"functionDeclarations", std::move(decls)}}};
    add_gemini_tool_policy(o, req);
  }
  if (auto g = generation_config(req); !g.empty())
    o["generationConfig"] = std::move(g);
  return o;
}

} // namespace

result<json::object> gemini_request_body(const chat_request& req) {
  if (auto links = refuse_image_links(req, no_links("gemini")); !links)
    return links.error();
  return body_of(req);
}

} // namespace et::wire::detail
