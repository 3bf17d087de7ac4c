#include "et/gateway/detail/formats.hpp"

#include <algorithm>
#include <cctype>

namespace et::gateway::detail {

namespace {

// OpenAI's name rule for a response format's schema: 1 to 64 of a-z, A-Z, 0-9, '_' and '-'.
bool schema_name_ok(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
}

// The json_schema member of a response_format: name (required), schema, strict; the
// description is a hint for the model that only OpenAI takes, so it is not forwarded.
result<answer_format> openai_schema(const json::value* v, const std::string& field,
                                    const limits& bounds) {
  if (v == nullptr || !v->is_object())
    return bad_field(field, "expected an object");
  const auto& o = v->get_object();
  if (auto ok = check_members(o, field, {"name", "schema", "strict", "description"}); !ok)
    return ok.error();
  answer_format f;
  f.kind = answer_format::shape::json_schema;
  auto text = required_string(o, "name", field, 64);
  if (!text)
    return std::move(text).error();
  if (!schema_name_ok(*text))
    return bad_field(field + ".name", "expected 1 to 64 letters, digits, '_' or '-'");
  f.name = std::move(*text);
  auto schema = schema_text(o.if_contains("schema"), field + ".schema", bounds);
  if (!schema)
    return std::move(schema).error();
  f.schema = std::move(*schema);
  if (const auto* strict = o.if_contains("strict")) {
    auto b = bool_of(*strict, field + ".strict");
    if (!b)
      return std::move(b).error();
    f.strict = *b;
  }
  return f;
}

} // namespace

result<answer_format> openai_response_format(const json::value& v, const limits& bounds) {
  if (v.is_null())
    return answer_format{};
  if (!v.is_object())
    return bad_field("response_format", "expected an object");
  const auto& o = v.get_object();
  if (auto ok = check_members(o, "response_format", {"type", "json_schema"}); !ok)
    return ok.error();
  auto kind = required_string(o, "type", "response_format", 32);
  if (!kind)
    return std::move(kind).error();
  if (*kind == "json_schema")
    return openai_schema(o.if_contains("json_schema"), "response_format.json_schema", bounds);
  if (*kind != "text" && *kind != "json_object")
    return bad_field("response_format.type", "expected text, json_object or json_schema");
  answer_format f;
  f.kind = *kind == "text" ? answer_format::shape::text : answer_format::shape::json_object;
  return f;
}

result<answer_format> responses_text(const json::value& v, const limits& bounds) {
  if (v.is_null())
    return answer_format{};
  if (!v.is_object())
    return bad_field("text", "expected an object");
  const auto& o = v.get_object();
  if (auto ok = check_members(o, "text", {"format", "verbosity"}); !ok)
    return ok.error();
  if (const auto* verbosity = o.if_contains("verbosity"); verbosity && !verbosity->is_null())
    if (auto ok = one_of(o, "verbosity", "text", {"low", "medium", "high"}); !ok)
      return ok.error();
  const auto* format = o.if_contains("format");
  if (format == nullptr || format->is_null())
    return answer_format{};
  const std::string field = "text.format";
  if (!format->is_object())
    return bad_field(field, "expected an object");
  const auto& f = format->get_object();
  auto kind = required_string(f, "type", field, 32);
  if (!kind)
    return std::move(kind).error();
  if (*kind == "json_schema") {
    // Flat here: the schema's members sit beside its type.
    json::object schema;
    for (const auto& [key, value] : f)
      if (view(key) != "type")
        schema.emplace(key, value);
    json::value flat(std::move(schema)); // not braces: those would make an array
    return openai_schema(&flat, field, bounds);
  }
  if (auto ok = check_members(f, field, {"type"}); !ok)
    return ok.error();
  if (*kind != "text" && *kind != "json_object")
    return bad_field(field + ".type", "expected text, json_object or json_schema");
  answer_format out;
  out.kind = *kind == "text" ? answer_format::shape::text : answer_format::shape::json_object;
  return out;
}

result<answer_format> anthropic_output_config(const json::value& v, const limits& bounds) {
  if (!v.is_object())
    return bad_field("output_config", "expected an object");
  for (const auto& [key, value] : v.get_object())
    if (view(key) != "format" && view(key) != "effort")
      return unsupported_field("output_config." + std::string{view(key)},
                               "not supported by this gateway yet");
  if (v.get_object().contains("effort"))
    if (auto ok =
            one_of(v.get_object(), "effort", "output_config", {"low", "medium", "high", "max"});
        !ok)
      return std::move(ok).error();
  answer_format f;
  const auto* format = v.get_object().if_contains("format");
  if (format == nullptr || format->is_null())
    return f;
  const std::string field = "output_config.format";
  if (!format->is_object())
    return bad_field(field, "expected an object");
  const auto& o = format->get_object();
  if (auto ok = check_members(o, field, {"type", "schema"}); !ok)
    return ok.error();
  auto type = required_string(o, "type", field, 32);
  if (!type)
    return std::move(type).error();
  if (*type != "json_schema")
    return bad_field(field + ".type", "expected json_schema");
  if (!o.contains("schema"))
    return bad_field(field + ".schema", "missing");
  auto schema = schema_text(o.if_contains("schema"), field + ".schema", bounds);
  if (!schema)
    return std::move(schema).error();
  f.kind = answer_format::shape::json_schema;
  f.name = "answer"; // OpenAI upstreams need a name; Anthropic's format has none
  f.schema = std::move(*schema);
  return f;
}

} // namespace et::gateway::detail
