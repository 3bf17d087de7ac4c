// Decoding an Anthropic messages request (see request.hpp).

#include <array>

#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/formats.hpp"
#include "et/gateway/detail/hints.hpp"
#include "et/gateway/detail/images.hpp"
#include "et/gateway/detail/tool_choice.hpp"
#include "et/gateway/detail/tools.hpp"
#include "et/gateway/request.hpp"

namespace et::gateway {

namespace {

using namespace detail;

// Members of a text block that have no effect here (prompt caching is the
// upstream's business, citations are not produced).
const std::vector<std::string_view> ignored_block_fields{"cache_control", "citations"};

// One client message: one et turn, or several when it carries tool results.
result<std::vector<message>> decode_message(const json::value& v, const std::string& field,
                                            const limits& bounds) {
  if (!v.is_object())
    return bad_field(field, "expected an object");
  const auto& o = v.get_object();
  for (const auto& [key, value] : o)
    if (view(key) != "role" && view(key) != "content")
      return bad_field(field + "." + std::string{view(key)}, "unknown field");
  auto name = required_string(o, "role", field, 32);
  if (!name)
    return std::move(name).error();
  if (*name != "user" && *name != "assistant")
    return bad_field(field + ".role", "expected user or assistant");
  const auto* content = o.if_contains("content");
  if (content == nullptr)
    return bad_field(field + ".content", "missing");
  return anthropic_content(*content, *name == "user" ? role::user : role::assistant,
                           field + ".content", bounds);
}

result<void> decode_messages(const json::value& v, const limits& bounds,
                             std::vector<message>& out) {
  if (!v.is_array())
    return bad_field("messages", "expected an array");
  const auto& a = v.get_array();
  if (a.empty())
    return bad_field("messages", "expected at least one message");
  if (a.size() > bounds.max_messages)
    return bad_field("messages", "more than " + std::to_string(bounds.max_messages) + " messages");
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto turns = decode_message(a[i], "messages[" + std::to_string(i) + "]", bounds);
    if (!turns)
      return std::move(turns).error();
    for (auto& m : *turns)
      out.push_back(std::move(m));
  }
  if (out.empty()) // every turn was a thinking block, which is dropped
    return bad_field("messages", "expected at least one message besides thinking");
  return count_images(out, "messages", bounds);
}

struct decoded {
  client_request out;
  std::optional<std::string> system;
  bool has_max_tokens = false;
  bool counting = false; ///< a count_tokens body: the answer's settings are refused
};

// What count_tokens refuses as an extra input: settings of an answer it does not make.
bool answer_setting(std::string_view k) {
  for (std::string_view s : {"max_tokens", "stream", "temperature", "top_p", "top_k",
                             "stop_sequences", "metadata", "service_tier", "container"})
    if (k == s)
      return true;
  return false;
}

result<void> decode_member(std::string_view k, const json::value& value, const limits& bounds,
                           decoded& d) {
  auto& req = d.out.request;
  std::string field{k};
  if (d.counting && answer_setting(k))
    return bad_field(field, "not accepted by count_tokens (it makes no answer)");
  if (k == "model") {
    auto m = string_of(value, field, bounds.max_model_bytes);
    if (!m)
      return std::move(m).error();
    d.out.model = std::move(*m);
  } else if (k == "messages") {
    return decode_messages(value, bounds, req.messages);
  } else if (k == "system") {
    auto text = text_parts(value, field, bounds, ignored_block_fields);
    if (!text)
      return std::move(text).error();
    d.system = std::move(*text);
  } else if (k == "max_tokens") {
    auto n = integer_of(value, field, 1, bounds.max_tokens);
    if (!n)
      return std::move(n).error();
    req.max_tokens = static_cast<int32_t>(*n);
    d.has_max_tokens = true;
  } else if (k == "stream") {
    auto b = bool_of(value, field);
    if (!b)
      return std::move(b).error();
    d.out.stream = *b;
  } else if (k == "temperature" || k == "top_p") {
    auto n = number_of(value, field, 0, 1);
    if (!n)
      return std::move(n).error();
    (k == "temperature" ? req.temperature : req.top_p) = *n;
  } else if (k == "stop_sequences") {
    if (!value.is_array())
      return bad_field(field, "expected an array of strings");
    auto s = stops_of(value, field, bounds);
    if (!s)
      return std::move(s).error();
    req.stop = std::move(*s);
  } else if (k == "tools") {
    auto tools = anthropic_tools(value, bounds);
    if (!tools)
      return std::move(tools).error();
    req.tools = std::move(*tools);
  } else if (k == "tool_choice") {
    return anthropic_tool_choice(value, d.out);
  } else if (k == "output_config") {
    auto f = anthropic_output_config(value, bounds);
    if (!f)
      return std::move(f).error();
    req.format = std::move(*f);
    if (const auto* effort = value.as_object().if_contains("effort")) // checked: one word
      req.thinking.effort = std::string{effort->as_string()};
  } else if (k == "thinking") {
    auto shown = anthropic_thinking(value, bounds, req.thinking);
    if (!shown)
      return std::move(shown).error();
    d.out.show_thinking = *shown;
  } else if (k == "context_management") {
    return anthropic_context_management(value);
  } else if (k == "top_k" || k == "container" || k == "mcp_servers") {
    return unsupported_field(field, "not supported by this gateway yet");
  } else if (k != "metadata" && k != "service_tier") {
    return bad_field(field, "unknown field");
  }
  return {};
}

} // namespace

namespace {

result<client_request> parse_anthropic(std::string_view body, const limits& bounds, bool counting) {
  auto parsed = parse_body(body, bounds);
  if (!parsed)
    return std::move(parsed).error();
  const auto& o = parsed->object();
  decoded d;
  d.counting = counting;
  for (const auto& [key, value] : o)
    if (auto ok = decode_member(view(key), value, bounds, d); !ok)
      return ok.error();
  if (d.out.model.empty())
    return bad_field("model", o.contains("model") ? "must not be empty" : "missing");
  if (d.out.request.messages.empty())
    return bad_field("messages", "missing");
  if (!d.has_max_tokens && !counting)
    return bad_field("max_tokens", "missing");
  if (auto ok = settle_tools(d.out); !ok)
    return ok.error();
  if (d.system && !d.system->empty())
    d.out.request.messages.insert(d.out.request.messages.begin(),
                                  message{role::system, std::move(*d.system), {}, {}, {}});
  return std::move(d.out);
}

} // namespace

result<client_request> parse_anthropic_request(std::string_view body, const limits& bounds) {
  return parse_anthropic(body, bounds, false);
}

result<client_request> parse_anthropic_count_request(std::string_view body, const limits& bounds) {
  return parse_anthropic(body, bounds, true);
}

} // namespace et::gateway
