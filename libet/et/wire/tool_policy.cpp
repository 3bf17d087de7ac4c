// A request's tool policy in each protocol's words (see detail/tool_policy.hpp).

#include "et/wire/detail/tool_policy.hpp"

#include <string>

namespace et::wire::detail {

namespace json = boost::json;

void add_openai_tool_policy(json::object& body, const chat_request& req, bool reasoning) {
  const auto& p = req.tool_use;
  if (req.tools.empty())
    return;
  if (p.no_calls) {
    body["tool_choice"] = "none";
    return;
  }
  if (!p.name.empty())
    body["tool_choice"] = {{"type", "function"}, {"function", {{"name", p.name}}}};
  else if (p.required)
    body["tool_choice"] = "required";
  if (p.one_at_a_time && !reasoning)
    body["parallel_tool_calls"] = false;
}

result<void> add_anthropic_tool_policy(json::object& body, const chat_request& req) {
  const auto& p = req.tool_use;
  if (req.tools.empty() || p == tool_policy{})
    return {};
  if (p.no_calls) { // allowed with thinking, unlike any and tool
    body["tool_choice"] = {{"type", "none"}};
    return {};
  }
  const auto* thinking = body.if_contains("thinking");
  bool thinks = thinking != nullptr && thinking->is_object()
                && thinking->as_object().if_contains("type") != nullptr
                && thinking->as_object().at("type") != "disabled";
  if (p.required && thinks)
    return make_failure(errc::unsupported, "anthropic: a required tool call cannot be combined "
                                           "with thinking (Anthropic refuses it)");
  json::object choice{{"type", !p.name.empty() ? "tool" : p.required ? "any" : "auto"}};
  if (!p.name.empty())
    choice["name"] = p.name;
  if (p.one_at_a_time)
    choice["disable_parallel_tool_use"] = true;
  body["tool_choice"] = std::move(choice);
  return {};
}

void add_gemini_tool_policy(json::object& body, const chat_request& req) {
  const auto& p = req.tool_use;
  if (req.tools.empty() || !(p.required || p.no_calls))
    return;
  if (p.no_calls) {
    body["toolConfig"] = {{"functionCallingConfig", {{"mode", "NONE"}}}};
    return;
  }
  json::object config{{"mode", "ANY"}};
  if (!p.name.empty())
    config["allowedFunctionNames"] = json::array{json::string{p.name}};
  body["toolConfig"] = {{"functionCallingConfig", std::move(config)}};
}

result<void> refuse_required_tools(const chat_request& req, std::string_view protocol) {
  if (req.tools.empty() || !req.tool_use.required)
    return {};
  return make_failure(errc::unsupported, std::string{protocol}
                                             + ": a required tool call is not supported (the "
                                               "protocol has no way to ask for one)");
}

} // namespace et::wire::detail
