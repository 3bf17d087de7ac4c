// Decoding tool_choice and parallel_tool_calls (see tool_choice.hpp).

#include "et/gateway/detail/tool_choice.hpp"

#include <boost/json.hpp>

#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/tools.hpp"
#include "et/gateway/errors.hpp"

namespace et::gateway::detail {

namespace {

// "auto", "none" or "required", the words OpenAI's two APIs share; false for another value.
bool choice_word(const json::value& v, client_request& out) {
  if (!v.is_string())
    return false;
  auto word = view(v.get_string());
  if (word == "auto" || word == "none" || word == "required") {
    out.request.tool_use.no_calls = word == "none";
    out.request.tool_use.required = word == "required";
    return true;
  }
  return false;
}

// The one tool a choice names: it must call that one.
result<void> named(const json::object& o, const std::string& field, client_request& out) {
  auto name = required_string(o, "name", field, max_name);
  if (!name)
    return std::move(name).error();
  if (name->empty())
    return bad_field(field + ".name", "must not be empty");
  out.request.tool_use.required = true;
  out.request.tool_use.name = std::move(*name);
  return {};
}

} // namespace

result<void> openai_tool_choice(const json::value& v, client_request& out) {
  if (choice_word(v, out))
    return {};
  if (!v.is_object())
    return bad_field("tool_choice", "expected auto, none, required or a function");
  const auto& o = v.get_object();
  if (auto ok = one_of(o, "type", "tool_choice", {"function", "allowed_tools", "custom"}); !ok)
    return ok.error();
  if (view(o.at("type").get_string()) != "function")
    return unsupported_field("tool_choice.type", "only a function is supported by this gateway");
  if (auto ok = check_members(o, "tool_choice", {"type", "function"}); !ok)
    return ok.error();
  const auto* fn = o.if_contains("function");
  if (fn == nullptr || !fn->is_object())
    return bad_field("tool_choice.function", "expected an object");
  if (auto ok = check_members(fn->get_object(), "tool_choice.function", {"name"}); !ok)
    return ok.error();
  return named(fn->get_object(), "tool_choice.function", out);
}

result<void> responses_tool_choice(const json::value& v, client_request& out) {
  if (choice_word(v, out))
    return {};
  if (!v.is_object())
    return bad_field("tool_choice", "expected auto, none, required or a function");
  const auto& o = v.get_object();
  auto type = required_string(o, "type", "tool_choice", 64);
  if (!type)
    return std::move(type).error();
  if (*type != "function" && *type != "custom")
    return unsupported_field("tool_choice.type", "only a function or a custom tool is "
                                                 "supported by this gateway (not "
                                                     + printable(*type, 64) + ")");
  if (auto ok = check_members(o, "tool_choice", {"type", "name"}); !ok)
    return ok.error();
  return named(o, "tool_choice", out);
}

result<void> anthropic_tool_choice(const json::value& v, client_request& out) {
  if (!v.is_object())
    return bad_field("tool_choice", "expected an object");
  const auto& o = v.get_object();
  if (auto ok = one_of(o, "type", "tool_choice", {"auto", "any", "tool", "none"}); !ok)
    return ok.error();
  auto word = view(o.at("type").get_string());
  if (auto ok = check_members(
          o, "tool_choice",
          word == "tool"
              ? std::initializer_list<std::string_view>{"type", "name",
                                                        "disable_parallel_"
                                                        "tool_use"}
              : std::initializer_list<std::string_view>{"type", "disable_parallel_tool_use"});
      !ok)
    return ok.error();
  if (const auto* p = o.if_contains("disable_parallel_tool_use"); p != nullptr && !p->is_null()) {
    auto one = bool_of(*p, "tool_choice.disable_parallel_tool_use");
    if (!one)
      return std::move(one).error();
    out.request.tool_use.one_at_a_time = *one;
  }
  out.request.tool_use.no_calls = word == "none";
  out.request.tool_use.required = word == "any";
  if (word == "tool")
    return named(o, "tool_choice", out);
  return {};
}

result<void> parallel_tool_calls(const json::value& v, client_request& out) {
  if (v.is_null())
    return {};
  auto b = bool_of(v, "parallel_tool_calls");
  if (!b)
    return std::move(b).error();
  out.request.tool_use.one_at_a_time = !*b;
  return {};
}

result<void> settle_tools(client_request& out) {
  auto& policy = out.request.tool_use;
  if (policy.no_calls) // the tools stay in view; nothing may be called, so nothing is held
    policy = tool_policy{.no_calls = !out.request.tools.empty()};
  if (policy.required && out.request.tools.empty())
    return bad_field("tool_choice", "requires a tool call, and the request offers no tools");
  if (!policy.name.empty()) {
    bool offered = false;
    for (const auto& t : out.request.tools)
      offered = offered || t.name == policy.name;
    if (!offered)
      return bad_field("tool_choice", "names " + printable(policy.name, 64)
                                          + ", which is not among the request's tools");
  }
  if (out.request.tools.empty())
    policy.one_at_a_time = false; // nothing to call: nothing to hold to one call
  name_tool_results(out.request.messages);
  return {};
}

} // namespace et::gateway::detail
