// The Responses API's tools (see tools.hpp): functions, custom (free-form) tools offered as
// functions of one input, and what Codex adds.

#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/tools.hpp"
#include "et/gateway/errors.hpp"

namespace et::gateway::detail {

namespace {

// A custom (free-form) tool as a function of one string, `input`, its grammar (if any) told to
// the model in its description.
result<tool_spec> custom_spec(const json::object& t, const std::string& field,
                              const limits& bounds) {
  if (auto ok = check_members(
          t, field, {"type", "name", "description", "format", "defer_loading", "allowed_callers"});
      !ok)
    return ok.error();
  auto name = optional_string(t, "name", field, max_name);
  auto description = optional_string(t, "description", field, bounds.max_string_bytes);
  if (!name)
    return std::move(name).error();
  if (name->empty())
    return bad_field(field + ".name", "missing");
  if (!description)
    return std::move(description).error();
  std::string grammar;
  if (const auto* f = t.if_contains("format"); f && !f->is_null()) {
    auto ff = field + ".format";
    if (!f->is_object())
      return bad_field(ff, "expected an object");
    const auto& fo = f->get_object();
    if (auto ok = check_members(fo, ff, {"type", "syntax", "definition"}); !ok)
      return ok.error();
    if (auto ok = one_of(fo, "type", ff, {"text", "grammar"}); !ok)
      return ok.error();
    if (fo.at("type") == "grammar") {
      if (auto ok = one_of(fo, "syntax", ff, {"lark", "regex"}); !ok)
        return ok.error();
      auto definition = required_string(fo, "definition", ff, bounds.max_string_bytes);
      if (!definition)
        return std::move(definition).error();
      grammar = std::string{fo.at("syntax").as_string()} + " grammar:\n" + *definition;
    }
  }
  auto text = *description + (description->empty() ? "" : "\n\n")
              + "Its input is free-form text, given as `input`"
              + (grammar.empty() ? std::string{"."} : ", following this " + grammar);
  if (text.size() > bounds.max_string_bytes)
    return bad_field(field + ".format.definition", "with the description, longer than "
                                                       + std::to_string(bounds.max_string_bytes)
                                                       + " bytes");
  return tool_spec{std::move(*name), std::move(text),
                   R"({"type":"object","properties":{"input":{"type":"string"}},)"
                   R"("required":["input"],"additionalProperties":false})"};
}

} // namespace

result<responses_toolset> responses_tools(const json::value& v, const limits& bounds) {
  failure why;
  const auto* a = bounded_array(v, "tools", max_tools, why);
  if (a == nullptr)
    return why;
  responses_toolset out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto field = "tools[" + std::to_string(i) + "]";
    if (!(*a)[i].is_object())
      return bad_field(field, "expected an object");
    const auto& t = (*a)[i].get_object();
    auto type = required_string(t, "type", field, 64);
    if (!type)
      return std::move(type).error();
    // What Codex adds: a namespace of sub-agent tools (how a model calls into a namespace is
    // OpenAI's own), its web search (no other provider runs it) and its client-run tool search
    // (the model gets the tools the request lists). Refusing them made the gateway unusable
    // from Codex; they are not offered to the model.
    if (*type == "namespace" || *type == "web_search" || *type == "tool_search")
      continue;
    result<tool_spec> spec = make_failure(errc::unsupported, "");
    if (*type == "custom") {
      spec = custom_spec(t, field, bounds);
    } else if (*type == "function") {
      // defer_loading, allowed_callers, output_schema: how OpenAI's own tool search and
      // callers treat the function; the model sees it either way.
      spec = function_spec(t, field, "parameters",
                           {"type", "strict", "defer_loading", "allowed_callers", "output_schema"},
                           bounds);
    } else {
      return unsupported_field(field + ".type", "only function and custom tools are supported (not "
                                                    + printable(*type, 64) + ")");
    }
    if (!spec)
      return std::move(spec).error();
    auto name = spec->name;
    if (auto added = add_tool(out.tools, std::move(*spec), field); !added)
      return added.error();
    if (*type == "custom")
      out.freeform.push_back(std::move(name));
  }
  return out;
}

} // namespace et::gateway::detail
