// The shape an answer must take, as each protocol asks for it (see chat.hpp's answer_format).

#include <boost/json.hpp>

#include "et/wire/detail/common.hpp"

namespace et::wire::detail {

namespace json = boost::json;

namespace {

using shape = answer_format::shape;

// The schema of a json_schema format as an object ({} when it has none). A chat request may come
// from a node's peer, so the text is checked here, not assumed to be what the gateway wrote; a
// bad one is the request's fault (bad_request: no cooldown for the deployment).
result<json::object> schema_of(const answer_format& f) {
  if (f.schema.empty())
    return json::object{};
  boost::system::error_code ec;
  auto v = json::parse(json::string_view{f.schema.data(), f.schema.size()}, ec);
  if (ec || !v.is_object())
    return make_failure(errc::bad_request, "the answer format's schema is not a JSON object");
  return std::move(v.get_object());
}

// The schema a protocol that cannot do without one gets; an error naming the protocol otherwise.
result<json::object> required_schema(const answer_format& f, std::string_view protocol) {
  auto schema = schema_of(f);
  if (schema && schema->empty())
    return make_failure(errc::unsupported, std::string{protocol}
                                               + " takes a JSON schema for a json_schema answer "
                                                 "format, and none was given");
  return schema;
}

} // namespace

result<void> add_openai_format(json::object& body, const answer_format& f) {
  if (f.kind == shape::text)
    return {};
  if (f.kind == shape::json_object) {
    body["response_format"] = {{"type", "json_object"}};
    return {};
  }
  auto schema = schema_of(f);
  if (!schema)
    return schema.error();
  json::object spec{{"name", f.name.empty() ? "answer" : f.name}};
  if (!schema->empty())
    spec["schema"] = std::move(*schema);
  if (f.strict)
    spec["strict"] = true;
  body["response_format"] = {{"type", "json_schema"}, {"json_schema", std::move(spec)}};
  return {};
}

result<void> add_ollama_format(json::object& body, const answer_format& f) {
  if (f.kind == shape::text)
    return {};
  auto schema = schema_of(f);
  if (!schema)
    return schema.error();
  if (f.kind == shape::json_object || schema->empty())
    body["format"] = "json";
  else
    body["format"] = std::move(*schema);
  return {};
}

result<void> add_gemini_format(json::object& body, const answer_format& f) {
  if (f.kind == shape::text)
    return {};
  auto& slot = body["generationConfig"]; // request_body sets it only when it has something
  if (!slot.is_object())
    slot = json::object{};
  auto& config = slot.get_object();
  config["responseMimeType"] = "application/json";
  if (f.kind == shape::json_schema) {
    auto schema = required_schema(f, "Gemini");
    if (!schema)
      return schema.error();
    config["responseJsonSchema"] = std::move(*schema);
  }
  return {};
}

result<void> add_anthropic_format(json::object& body, const answer_format& f) {
  if (f.kind == shape::text)
    return {};
  if (f.kind == shape::json_object)
    return make_failure(errc::unsupported,
                        "Anthropic takes a JSON schema for structured answers, not json_object: "
                        "use response_format json_schema");
  auto schema = required_schema(f, "Anthropic");
  if (!schema)
    return schema.error();
  body["output_config"] = {{"format", {{"type", "json_schema"}, {"schema", std::move(*schema)}}}};
  return {};
}

} // namespace et::wire::detail
