#include "et/gateway/detail/tools.hpp"

#include <map>

#include "et/gateway/detail/documents.hpp"
#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/images.hpp"
#include "et/gateway/detail/reasoning.hpp"
#include "et/gateway/errors.hpp"

namespace et::gateway::detail {

result<std::string> optional_string(const json::object& o, const char* key,
                                    const std::string& field, std::size_t max) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null())
    return std::string{};
  return string_of(*v, field + "." + key, max);
}

const json::array* bounded_array(const json::value& v, const std::string& field, std::size_t max,
                                 failure& why) {
  if (!v.is_array()) {
    why = bad_field(field, "expected an array");
    return nullptr;
  }
  if (v.get_array().size() > max) {
    why = bad_field(field, "more than " + std::to_string(max) + " entries");
    return nullptr;
  }
  return &v.get_array();
}

// A function's definition (named `ff`): name, description, its schema under `schema_key`, and
// the members listed in `also`, which its caller reads (or accepts without effect).
result<tool_spec> function_spec(const json::object& fo, const std::string& ff,
                                const char* schema_key,
                                std::initializer_list<std::string_view> also,
                                const limits& bounds) {
  for (const auto& [key, value] : fo) {
    auto k = view(key);
    bool known = k == "name" || k == "description" || k == schema_key;
    for (auto a : also)
      known = known || k == a;
    if (!known)
      return bad_field(ff + "." + std::string{k}, "unknown field");
  }
  auto name = optional_string(fo, "name", ff, max_name);
  auto description = optional_string(fo, "description", ff, bounds.max_string_bytes);
  auto schema = schema_text(fo.if_contains(schema_key), ff + "." + schema_key, bounds);
  if (!name)
    return std::move(name).error();
  if (name->empty())
    return bad_field(ff + ".name", "missing");
  if (!description)
    return std::move(description).error();
  if (!schema)
    return std::move(schema).error();
  return tool_spec{std::move(*name), std::move(*description), std::move(*schema)};
}

result<void> add_tool(std::vector<tool_spec>& tools, tool_spec spec, const std::string& ff) {
  for (const auto& earlier : tools)
    if (earlier.name == spec.name)
      return bad_field(ff + ".name", "the name of an earlier tool");
  tools.push_back(std::move(spec));
  return {};
}

result<std::vector<tool_spec>> openai_tools(const json::value& v, const limits& bounds) {
  failure why;
  const auto* a = bounded_array(v, "tools", max_tools, why);
  if (a == nullptr)
    return why;
  std::vector<tool_spec> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto field = "tools[" + std::to_string(i) + "]";
    if (!(*a)[i].is_object())
      return bad_field(field, "expected an object");
    const auto& t = (*a)[i].get_object();
    if (auto ok = check_members(t, field, {"type", "function"}); !ok)
      return ok.error();
    const auto* type = t.if_contains("type");
    if (type == nullptr || !type->is_string() || type->get_string() != "function")
      return unsupported_field(field + ".type", "only function tools are supported");
    const auto* f = t.if_contains("function");
    if (f == nullptr || !f->is_object())
      return bad_field(field + ".function", "expected an object");
    auto spec =
        function_spec(f->get_object(), field + ".function", "parameters", {"strict"}, bounds);
    if (!spec)
      return std::move(spec).error();
    if (auto added = add_tool(out, std::move(*spec), field + ".function"); !added)
      return added.error();
  }
  return out;
}

result<std::vector<tool_call>> openai_tool_calls(const json::value& v, const std::string& field,
                                                 const limits& bounds) {
  failure why;
  const auto* a = bounded_array(v, field, max_tools, why);
  if (a == nullptr)
    return why;
  std::vector<tool_call> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto f = field + "[" + std::to_string(i) + "]";
    if (!(*a)[i].is_object())
      return bad_field(f, "expected an object");
    const auto& c = (*a)[i].get_object();
    if (auto ok = check_members(c, f, {"id", "type", "function"}); !ok)
      return ok.error();
    const auto* fn = c.if_contains("function");
    if (fn == nullptr || !fn->is_object())
      return bad_field(f + ".function", "expected an object");
    if (auto ok = check_members(fn->get_object(), f + ".function", {"name", "arguments"}); !ok)
      return ok.error();
    auto id = optional_string(c, "id", f, max_name);
    auto name = optional_string(fn->get_object(), "name", f + ".function", max_name);
    auto args =
        optional_string(fn->get_object(), "arguments", f + ".function", bounds.max_string_bytes);
    if (!id)
      return std::move(id).error();
    if (!name)
      return std::move(name).error();
    if (!args)
      return std::move(args).error();
    out.push_back({std::move(*id), std::move(*name), std::move(*args)});
  }
  return out;
}

result<std::vector<tool_spec>> anthropic_tools(const json::value& v, const limits& bounds) {
  failure why;
  const auto* a = bounded_array(v, "tools", max_tools, why);
  if (a == nullptr)
    return why;
  std::vector<tool_spec> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto field = "tools[" + std::to_string(i) + "]";
    if (!(*a)[i].is_object())
      return bad_field(field, "expected an object");
    const auto& t = (*a)[i].get_object();
    const auto* type = t.if_contains("type");
    // Tool search (Claude Code's way to load many tools lazily): without it, the tools it
    // would find (defer_loading) are offered to the model directly.
    if (type != nullptr && type->is_string()
        && type->get_string().starts_with("tool_search_tool_")) {
      if (auto ok = check_members(t, field, {"type", "name", "cache_control"}); !ok)
        return ok.error();
      if (auto name = optional_string(t, "name", field, max_name); !name)
        return std::move(name).error();
      continue;
    }
    if (type != nullptr && !(type->is_string() && type->get_string() == "custom"))
      return unsupported_field(field + ".type", "server tools are not supported by this gateway");
    if (const auto* deferred = t.if_contains("defer_loading"); deferred && !deferred->is_bool())
      return bad_field(field + ".defer_loading", "expected true or false");
    auto spec =
        function_spec(t, field, "input_schema", {"type", "cache_control", "defer_loading"}, bounds);
    if (!spec)
      return std::move(spec).error();
    if (auto added = add_tool(out, std::move(*spec), field); !added)
      return added.error();
  }
  return out;
}

namespace {

// A tool_result's content into its tool turn: a string, or text, image and document blocks.
result<void> result_content(const json::object& block, const std::string& field,
                            const limits& bounds, message& turn) {
  const auto* content = block.if_contains("content");
  if (content == nullptr || content->is_null())
    return {};
  return parts_into(*content, field + ".content", bounds,
                    {{"text"},
                     "image",
                     anthropic_image,
                     {"cache_control", "citations"},
                     "document",
                     anthropic_document},
                    turn);
}

// A thinking block ({"thinking", "signature"}) or a redacted one ({"data"}), each text bounded.
result<thought> thought_of(const json::object& block, bool redacted, const std::string& f,
                           const limits& bounds) {
  if (redacted) {
    if (auto ok = check_members(block, f, {"type", "data"}); !ok)
      return ok.error();
    auto data = optional_string(block, "data", f, bounds.max_string_bytes);
    if (!data)
      return std::move(data).error();
    return thought{.redacted = std::move(*data)};
  }
  if (auto ok = check_members(block, f, {"type", "thinking", "signature"}); !ok)
    return ok.error();
  auto text = optional_string(block, "thinking", f, bounds.max_string_bytes);
  if (!text)
    return std::move(text).error();
  auto signature = optional_string(block, "signature", f, bounds.max_string_bytes);
  if (!signature)
    return std::move(signature).error();
  return thought{std::move(*text), std::move(*signature), {}};
}

} // namespace

result<std::vector<thought>> thinking_blocks(const json::value& v, const std::string& field,
                                             const limits& bounds) {
  std::vector<thought> out;
  if (v.is_null())
    return out;
  failure why;
  const auto* a = bounded_array(v, field, max_sealed_thoughts, why);
  if (a == nullptr)
    return why;
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto f = field + "[" + std::to_string(i) + "]";
    if (!(*a)[i].is_object())
      return bad_field(f, "expected an object");
    const auto& block = (*a)[i].get_object();
    if (auto ok = one_of(block, "type", f, {"thinking", "redacted_thinking"}); !ok)
      return ok.error();
    auto t = thought_of(block, block.at("type") == "redacted_thinking", f, bounds);
    if (!t)
      return std::move(t).error();
    if (!t->signature.empty() || !t->redacted.empty()) // unsigned: nothing could check it
      out.push_back(std::move(*t));
  }
  return out;
}

result<std::vector<message>> anthropic_content(const json::value& v, role who,
                                               const std::string& field, const limits& bounds) {
  message turn;
  turn.who = who;
  std::vector<message> out;
  if (v.is_string()) {
    auto text = string_of(v, field, bounds.max_string_bytes);
    if (!text)
      return std::move(text).error();
    turn.content = std::move(*text);
    out.push_back(std::move(turn));
    return out;
  }
  failure why;
  const auto* a = bounded_array(v, field, bounds.max_parts, why);
  if (a == nullptr)
    return why;
  bool has_text = false;
  bool has_thinking = false; // a turn of nothing but thinking goes nowhere, not out empty
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto f = field + "[" + std::to_string(i) + "]";
    if (!(*a)[i].is_object())
      return bad_field(f, "expected an object");
    const auto& block = (*a)[i].get_object();
    const auto* type = block.if_contains("type");
    if (type == nullptr || !type->is_string())
      return bad_field(f + ".type", "expected a string");
    auto kind = view(type->get_string());
    if ((kind == "image" || kind == "document") && who == role::user) {
      auto ok = kind == "image" ? attach(anthropic_image(block, f, bounds), turn)
                                : anthropic_document(block, f, bounds, turn);
      if (!ok)
        return ok.error();
    } else if (kind == "text") {
      json::array one{block};
      auto text = text_parts(one, f, bounds, {"cache_control", "citations"});
      if (!text)
        return std::move(text).error();
      if (auto ok = append_text(turn, *text, field, bounds); !ok)
        return ok.error();
      has_text = true;
    } else if (kind == "tool_use" && who == role::assistant) {
      if (auto ok = check_members(block, f, {"type", "id", "name", "input", "cache_control"}); !ok)
        return ok.error();
      auto id = optional_string(block, "id", f, max_name);
      auto name = optional_string(block, "name", f, max_name);
      auto input = schema_text(block.if_contains("input"), f + ".input", bounds);
      if (!id)
        return std::move(id).error();
      if (!name)
        return std::move(name).error();
      if (!input)
        return std::move(input).error();
      turn.tool_calls.push_back({std::move(*id), std::move(*name), std::move(*input)});
    } else if ((kind == "thinking" || kind == "redacted_thinking") && who == role::assistant) {
      // The model's signed thinking, sent back so that a Claude model can go on with its tool
      // loop; thinking et relayed unsigned (another provider's) has nothing to check it by and
      // is dropped.
      auto t = thought_of(block, kind == "redacted_thinking", f, bounds);
      if (!t)
        return std::move(t).error();
      if (!t->signature.empty() || !t->redacted.empty())
        turn.thoughts.push_back(std::move(*t));
      has_thinking = true;
    } else if (kind == "tool_result" && who == role::user) {
      if (auto ok = check_members(block, f,
                                  {"type", "tool_use_id", "content", "is_error", "cache_control"});
          !ok)
        return ok.error();
      auto id = optional_string(block, "tool_use_id", f, max_name);
      if (!id)
        return std::move(id).error();
      const auto* is_error = block.if_contains("is_error");
      if (is_error != nullptr && !is_error->is_bool() && !is_error->is_null())
        return bad_field(f + ".is_error", "expected true or false");
      message result_turn{role::tool, {}, {}, std::move(*id), {}};
      // et's tool turns have no error flag: the model reads it in the text instead, first, and
      // the bound on one text counts it.
      if (is_error != nullptr && is_error->is_bool() && is_error->get_bool())
        if (auto ok = append_text(result_turn, "Error: ", f, bounds); !ok)
          return ok.error();
      if (auto ok = result_content(block, f, bounds, result_turn); !ok)
        return ok.error();
      out.push_back(std::move(result_turn));
    } else {
      return unsupported_field(f + ".type", "content blocks of type \"" + std::string{kind}
                                                + "\" are not supported here by this gateway");
    }
  }
  if (has_text || !turn.content.empty() || !turn.images.empty() || !turn.tool_calls.empty()
      || (out.empty() && !has_thinking))
    out.push_back(std::move(turn));
  return out;
}

void name_tool_results(std::vector<message>& messages) {
  std::map<std::string, std::string> names;
  for (auto& m : messages) {
    for (const auto& c : m.tool_calls)
      names[c.id] = c.name;
    if (m.who == role::tool && m.name.empty())
      if (auto i = names.find(m.tool_call_id); i != names.end())
        m.name = i->second;
  }
}

} // namespace et::gateway::detail
