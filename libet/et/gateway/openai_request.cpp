// Decoding an OpenAI chat completions request (see request.hpp).

#include <array>

#include "et/gateway/detail/documents.hpp"
#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/formats.hpp"
#include "et/gateway/detail/images.hpp"
#include "et/gateway/detail/tool_choice.hpp"
#include "et/gateway/detail/tools.hpp"
#include "et/gateway/request.hpp"

namespace et::gateway {

namespace {

using namespace detail;

// Accepted and without effect on the answer: attribution and storage hints.
constexpr std::array<std::string_view, 4> ignored_fields{"user", "metadata", "store",
                                                         "service_tier"};

// Fields the OpenAI API has that this gateway cannot honour yet.
constexpr std::array<std::string_view, 12> unsupported_fields{
    "logprobs",         "top_logprobs",       "logit_bias",    "seed",
    "presence_penalty", "frequency_penalty",  "modalities",    "audio",
    "prediction",       "web_search_options", "function_call", "functions"};

// OpenAI's reasoning_effort: one of its words.
result<std::string> reasoning_effort(const json::value& v) {
  constexpr std::array<std::string_view, 6> words{"none",   "minimal", "low",
                                                  "medium", "high",    "xhigh"};
  auto word = string_of(v, "reasoning_effort", 16);
  if (!word)
    return std::move(word).error();
  for (auto w : words)
    if (w == *word)
      return word;
  return bad_field("reasoning_effort", "expected none, minimal, low, medium, high or xhigh");
}

result<message> decode_message(const json::value& v, const std::string& field,
                               const limits& bounds) {
  if (!v.is_object())
    return bad_field(field, "expected an object");
  const auto& o = v.get_object();
  auto name = required_string(o, "role", field, 32);
  if (!name)
    return std::move(name).error();
  message m;
  if (*name == "system" || *name == "developer")
    m.who = role::system;
  else if (*name == "user")
    m.who = role::user;
  else if (*name == "assistant")
    m.who = role::assistant;
  else if (*name == "tool")
    m.who = role::tool;
  else if (*name == "function")
    return unsupported_field(field + ".role", "legacy function turns are not supported: use tool");
  else
    return bad_field(field + ".role", "expected system, developer, user, assistant or tool");
  bool has_content = false;
  for (const auto& [key, value] : o) {
    auto k = view(key);
    if (k == "role")
      continue;
    if (k == "content") {
      has_content = true;
      if (value.is_null() && m.who == role::assistant)
        continue; // an assistant turn that only called tools
      // Images and files come in user turns only, as OpenAI takes them.
      part_kinds kinds{{"text"}, {}, nullptr, {}};
      if (m.who == role::user)
        kinds = {{"text"}, "image_url", openai_image, {}, "file", openai_document};
      if (auto ok = parts_into(value, field + ".content", bounds, kinds, m); !ok)
        return ok.error();
    } else if (k == "tool_calls" && m.who == role::assistant) {
      auto calls = openai_tool_calls(value, field + ".tool_calls", bounds);
      if (!calls)
        return std::move(calls).error();
      m.tool_calls = std::move(*calls);
    } else if (k == "tool_call_id" && m.who == role::tool) {
      auto id = string_of(value, field + ".tool_call_id", 256);
      if (!id)
        return std::move(id).error();
      m.tool_call_id = std::move(*id);
    } else if (k == "function_call") {
      return unsupported_field(field + ".function_call",
                               "legacy function calls are not supported: use tool_calls");
    } else if (k == "name") {
      if (auto n = string_of(value, field + ".name", 256); !n)
        return std::move(n).error();
    } else if (k == "reasoning_content" && m.who == role::assistant) {
      // The thinking this gateway relayed, sent back by clients that keep the whole message:
      // checked and dropped (no upstream takes thinking back in this shape).
      if (!value.is_null())
        if (auto r = string_of(value, field + ".reasoning_content", bounds.max_string_bytes); !r)
          return std::move(r).error();
    } else if (k == "thinking_blocks" && m.who == role::assistant) {
      auto thoughts = thinking_blocks(value, field + ".thinking_blocks", bounds);
      if (!thoughts)
        return std::move(thoughts).error();
      m.thoughts = std::move(*thoughts);
    } else if (k == "refusal") {
      if (!value.is_null())
        return unsupported_field(field + ".refusal", "refusals are not supported as input");
    } else {
      return bad_field(field + "." + std::string{k}, "unknown field");
    }
  }
  if (!has_content && m.tool_calls.empty())
    return bad_field(field + ".content", "missing");
  if (m.who == role::tool && m.tool_call_id.empty())
    return bad_field(field + ".tool_call_id", "missing");
  return m;
}

result<void> decode_messages(const json::value& v, const limits& bounds, chat_request& out) {
  if (!v.is_array())
    return bad_field("messages", "expected an array");
  const auto& a = v.get_array();
  if (a.empty())
    return bad_field("messages", "expected at least one message");
  if (a.size() > bounds.max_messages)
    return bad_field("messages", "more than " + std::to_string(bounds.max_messages) + " messages");
  // Thinking blocks sent back: at most two a message's bound in all, as for Responses clients
  // (a block of twenty bytes is a hundred in memory).
  std::size_t thoughts = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto field = "messages[" + std::to_string(i) + "]";
    auto m = decode_message(a[i], field, bounds);
    if (!m)
      return std::move(m).error();
    thoughts += m->thoughts.size();
    if (thoughts > 2 * bounds.max_messages)
      return bad_field(field + ".thinking_blocks", "more than "
                                                       + std::to_string(2 * bounds.max_messages)
                                                       + " thinking blocks in the conversation");
    out.messages.push_back(std::move(*m));
  }
  return count_images(out.messages, "messages", bounds);
}

result<void> decode_stream_options(const json::value& v, client_request& out) {
  if (v.is_null())
    return {};
  if (!v.is_object())
    return bad_field("stream_options", "expected an object");
  for (const auto& [key, value] : v.get_object()) {
    if (view(key) != "include_usage")
      return bad_field("stream_options." + std::string{view(key)}, "unknown field");
    auto b = bool_of(value, "stream_options.include_usage");
    if (!b)
      return std::move(b).error();
    out.include_usage = *b;
  }
  return {};
}

// One top-level member into `out`.
result<void> decode_member(std::string_view k, const json::value& value, const limits& bounds,
                           client_request& out) {
  auto& req = out.request;
  std::string field{k};
  if (k == "model") {
    auto m = string_of(value, field, bounds.max_model_bytes);
    if (!m)
      return std::move(m).error();
    out.model = std::move(*m);
  } else if (k == "messages") {
    return decode_messages(value, bounds, req);
  } else if (k == "stream") {
    auto b = bool_of(value, field);
    if (!b)
      return std::move(b).error();
    out.stream = *b;
  } else if (k == "stream_options") {
    return decode_stream_options(value, out);
  } else if (k == "max_tokens" || k == "max_completion_tokens") {
    return token_limit(value, field, bounds, req);
  } else if (k == "temperature" || k == "top_p") {
    return sampling(value, field, req);
  } else if (k == "stop") {
    auto s = stops_of(value, field, bounds);
    if (!s)
      return std::move(s).error();
    req.stop = std::move(*s);
  } else if (k == "n") {
    if (value.is_null())
      return {};
    auto n = integer_of(value, field, 1, 128);
    if (!n)
      return std::move(n).error();
    if (*n != 1)
      return unsupported_field(field, "only one choice (n = 1) is supported by this gateway");
  } else if (k == "tools") {
    auto tools = openai_tools(value, bounds);
    if (!tools)
      return std::move(tools).error();
    req.tools = std::move(*tools);
  } else if (k == "tool_choice") {
    return openai_tool_choice(value, out);
  } else if (k == "response_format") {
    auto f = openai_response_format(value, bounds);
    if (!f)
      return std::move(f).error();
    req.format = std::move(*f);
  } else if (k == "reasoning_effort" && !value.is_null()) { // null: not said
    auto effort = reasoning_effort(value);
    if (!effort)
      return std::move(effort).error();
    req.thinking.asked =
        *effort == "none" ? thinking_request::want::off : thinking_request::want::on;
    req.thinking.effort = std::move(*effort);
  } else if (k == "parallel_tool_calls") {
    return parallel_tool_calls(value, out);
  } else if (k == "reasoning_effort") {
    // null, as OpenAI documents it: the model's default
  } else if (listed(unsupported_fields, k)) {
    return unsupported_field(field, "not supported by this gateway yet");
  } else if (!listed(ignored_fields, k)) {
    return bad_field(field, "unknown field");
  }
  return {};
}

} // namespace

result<client_request> parse_openai_request(std::string_view body, const limits& bounds) {
  auto parsed = parse_body(body, bounds);
  if (!parsed)
    return std::move(parsed).error();
  const auto& o = parsed->object();
  client_request out;
  out.show_thinking = true;
  for (const auto& [key, value] : o)
    if (auto ok = decode_member(view(key), value, bounds, out); !ok)
      return ok.error();
  if (out.model.empty())
    return bad_field("model", o.contains("model") ? "must not be empty" : "missing");
  if (out.request.messages.empty())
    return bad_field("messages", "missing");
  if (auto ok = settle_tools(out); !ok)
    return ok.error();
  return out;
}

} // namespace et::gateway
