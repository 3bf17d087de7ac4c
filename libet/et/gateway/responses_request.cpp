// Decoding an OpenAI Responses API request (see request.hpp). The Responses API is what Codex
// speaks: a conversation is a flat list of input items (messages, the function calls a model
// made, their outputs), and nothing is stored, so every request carries the whole conversation.

#include <array>

#include "et/gateway/detail/documents.hpp"
#include "et/gateway/detail/fields.hpp"
#include "et/gateway/detail/formats.hpp"
#include "et/gateway/detail/images.hpp"
#include "et/gateway/detail/reasoning.hpp"
#include "et/gateway/detail/tool_choice.hpp"
#include "et/gateway/detail/tools.hpp"
#include "et/gateway/errors.hpp"
#include "et/gateway/request.hpp"
#include "et/util/json_text.hpp"

namespace et::gateway {

namespace {

using namespace detail;

// Accepted and without effect on the answer: attribution, caching and storage hints. Nothing
// is stored, whatever `store` says.
constexpr std::array<std::string_view, 9> ignored_fields{
    "user",           "metadata",          "store",
    "service_tier",   "prompt_cache_key",  "truncation",
    "stream_options", "safety_identifier", "client_metadata"};

// What a response object repeats of its request, as OpenAI's does (`store` is always false:
// nothing is stored).
constexpr std::array<std::string_view, 11> echoed_fields{
    "instructions", "tools",    "tool_choice",       "parallel_tool_calls",
    "temperature",  "top_p",    "max_output_tokens", "text",
    "reasoning",    "metadata", "truncation"};

// The most a response object repeats of its request (see echo_of).
constexpr std::size_t max_echo_bytes = std::size_t{256} << 10;

// The most entries `include` may have, and the longest one.
constexpr std::size_t max_includes = 32;
constexpr std::size_t max_include_bytes = 128;

// What the Responses API has that this gateway cannot honour.
constexpr std::array<std::string_view, 7> unsupported_fields{
    "conversation",          "prompt", "background", "max_tool_calls", "top_logprobs", "top_k",
    "prompt_cache_retention"};

// How many input items one message's bound allows.
constexpr std::size_t items_per_message = 4;

// A message's or a function output's content into `turn`: a string, or input_text and
// output_text parts joined, with input_image and input_file parts where `images` allows them.
result<void> content_into(const json::value& v, const std::string& field, const limits& bounds,
                          bool images, message& turn) {
  part_kinds kinds{{"input_text", "output_text"}, {}, nullptr, {"annotations", "logprobs"}};
  if (images) {
    kinds.image_type = "input_image";
    kinds.read_image = responses_image;
    kinds.document_type = "input_file";
    kinds.read_document = responses_document;
  }
  return parts_into(v, field, bounds, kinds, turn);
}

result<message> message_item(const json::object& o, const std::string& field,
                             const limits& bounds) {
  if (auto ok = check_members(o, field, {"type", "role", "content", "id", "status", "phase"}); !ok)
    return ok.error();
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
  else
    return bad_field(field + ".role", "expected system, developer, user or assistant");
  const auto* content = o.if_contains("content");
  if (content == nullptr)
    return bad_field(field + ".content", "missing");
  if (auto ok = content_into(*content, field + ".content", bounds, m.who == role::user, m); !ok)
    return ok.error();
  return m;
}

// A call the model made: onto the assistant turn it belongs to (the last message, when that is
// an assistant turn), else a turn of its own. A custom (free-form) tool's call carries `input`,
// which becomes its one argument, as et offered the tool.
result<void> call_item(const json::object& o, const std::string& field, const limits& bounds,
                       bool custom, std::vector<message>& out) {
  auto ok =
      custom ? check_members(
          o, field, {"type", "call_id", "name", "input", "id", "status", "namespace", "caller"})
             : check_members(
                 o, field,
                 {"type", "call_id", "name", "arguments", "id", "status", "namespace", "caller"});
  if (!ok)
    return ok.error();
  auto id = required_string(o, "call_id", field, 256);
  auto name = required_string(o, "name", field, 256);
  auto args = required_string(o, custom ? "input" : "arguments", field, bounds.max_string_bytes);
  if (!id)
    return std::move(id).error();
  if (!name)
    return std::move(name).error();
  if (!args)
    return std::move(args).error();
  if (out.empty() || out.back().who != role::assistant)
    out.push_back(message{role::assistant, "", {}, {}, {}});
  out.back().tool_calls.push_back(
      tool_call{std::move(*id), std::move(*name),
                custom ? json_text(json::object{{"input", *args}}) : std::move(*args)});
  return {};
}

result<message> function_output_item(const json::object& o, const std::string& field,
                                     const limits& bounds) {
  if (auto ok =
          check_members(o, field, {"type", "call_id", "output", "id", "status", "caller", "name"});
      !ok)
    return ok.error();
  auto id = required_string(o, "call_id", field, 256);
  if (!id)
    return std::move(id).error();
  const auto* output = o.if_contains("output");
  if (output == nullptr)
    return bad_field(field + ".output", "missing");
  message m{role::tool, {}, {}, std::move(*id), {}};
  if (auto ok = content_into(*output, field + ".output", bounds, true, m); !ok)
    return ok.error();
  return m;
}

result<void> decode_input(const json::value& v, const limits& bounds, chat_request& req) {
  if (v.is_string()) {
    auto text = string_of(v, "input", bounds.max_string_bytes);
    if (!text)
      return std::move(text).error();
    req.messages.push_back(message{role::user, std::move(*text), {}, {}, {}});
    return {};
  }
  if (!v.is_array())
    return bad_field("input", "expected a string or an array of items");
  // Items are finer than messages (each call and each output is one, and reasoning items come
  // between): a long agent session needs several per message's worth.
  const auto& items = v.get_array();
  const auto max_items = items_per_message * bounds.max_messages;
  if (items.size() > max_items)
    return bad_field("input", "more than " + std::to_string(max_items) + " items");
  // Reasoning items come before the message and calls of the assistant turn they belong to.
  waiting_thinking thinking{bounds};
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto field = "input[" + std::to_string(i) + "]";
    if (!items[i].is_object())
      return bad_field(field, "expected an object");
    const auto& o = items[i].get_object();
    std::string type = "message"; // a message may leave its type out
    if (o.contains("type")) {
      auto t = required_string(o, "type", field, 64);
      if (!t)
        return std::move(t).error();
      type = std::move(*t);
    }
    if (type == "message") {
      auto m = message_item(o, field, bounds);
      if (!m)
        return std::move(m).error();
      req.messages.push_back(std::move(*m));
      if (auto ok = thinking.give(req.messages, field); !ok)
        return ok.error();
    } else if (type == "function_call" || type == "custom_tool_call") {
      if (auto ok = call_item(o, field, bounds, type == "custom_tool_call", req.messages); !ok)
        return ok.error();
      if (auto ok = thinking.give(req.messages, field); !ok)
        return ok.error();
    } else if (type == "function_call_output" || type == "custom_tool_call_output") {
      auto m = function_output_item(o, field, bounds);
      if (!m)
        return std::move(m).error();
      req.messages.push_back(std::move(*m));
      if (auto ok = thinking.give(req.messages, field); !ok) // a tool turn: dropped
        return ok.error();
    } else if (type == "reasoning") {
      auto thoughts = reasoning_input(o, field, bounds);
      if (!thoughts)
        return std::move(thoughts).error();
      if (auto ok = thinking.add(std::move(*thoughts), field); !ok)
        return ok.error();
    } else {
      return unsupported_field(field + ".type", "only message, function_call, custom_tool_call, "
                                                "their outputs and reasoning items are "
                                                "supported (not "
                                                    + printable(type, 64) + ")");
    }
  }
  return count_images(req.messages, "input", bounds);
}

// reasoning: {"effort": ..., "summary": ...}; the effort goes on like reasoning_effort, and a
// summary asked for shows the thinking as the reasoning item's summary.
result<void> decode_reasoning(const json::value& v, client_request& out) {
  if (v.is_null())
    return {};
  if (!v.is_object())
    return bad_field("reasoning", "expected an object");
  const auto& o = v.get_object();
  if (auto ok = check_members(o, "reasoning", {"effort", "summary", "generate_summary", "context"});
      !ok)
    return ok.error();
  for (std::string_view key : {"generate_summary", "summary"}) { // the current name wins
    const auto* summary = o.if_contains(key);
    if (summary == nullptr || summary->is_null())
      continue;
    if (auto ok = one_of(o, key, "reasoning", {"auto", "concise", "detailed", "none"}); !ok)
      return ok.error();
    out.show_thinking = summary->get_string() != "none";
  }
  const auto* effort = o.if_contains("effort");
  if (effort == nullptr || effort->is_null())
    return {};
  if (auto ok = one_of(o, "effort", "reasoning",
                       {"none", "minimal", "low", "medium", "high", "xhigh", "max"});
      !ok)
    return ok.error();
  std::string word{effort->get_string()};
  auto& thinking = out.request.thinking;
  thinking.asked = word == "none" ? thinking_request::want::off : thinking_request::want::on;
  thinking.effort = std::move(word);
  return {};
}

// include: extra output. et makes one kind, reasoning.encrypted_content (the sealed thinking);
// the others name output of tools et does not run, or logprobs, and add nothing.
result<void> decode_include(const json::value& v, client_request& out) {
  if (v.is_null())
    return {};
  if (!v.is_array())
    return bad_field("include", "expected an array of strings");
  const auto& all = v.get_array();
  if (all.size() > max_includes)
    return bad_field("include", "more than " + std::to_string(max_includes) + " entries");
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto what = string_of(all[i], "include[" + std::to_string(i) + "]", max_include_bytes);
    if (!what)
      return std::move(what).error();
    out.carry_thoughts = out.carry_thoughts || *what == "reasoning.encrypted_content";
  }
  return {};
}

// OpenAI's metadata: at most 16 pairs, keys of at most 64 bytes, strings of at most 512.
bool plain_metadata(const json::value& v) {
  if (!v.is_object() || v.get_object().size() > 16)
    return false;
  for (const auto& [key, value] : v.get_object())
    if (key.size() > 64 || !value.is_string() || value.get_string().size() > 512)
      return false;
  return true;
}

// Whether the response may repeat `v` as the request's `field`: the fields the gateway only
// accepts (metadata, truncation) when they have the shape OpenAI gives them; null never.
bool echoable(std::string_view field, const json::value& v) {
  if (v.is_null())
    return false;
  if (field == "metadata")
    return plain_metadata(v);
  if (field == "truncation")
    return v.is_string() && (v.get_string() == "auto" || v.get_string() == "disabled");
  return true;
}

// The settings the response object repeats. A stream holds them until its last event, longer
// than the request body's bound holds the body: past max_echo_bytes, tools go first, then
// instructions, then text, then reasoning (in that order, whatever their sizes), and the
// response says OpenAI's defaults for those.
std::string echo_of(const json::object& request) {
  json::object echo;
  for (auto field : echoed_fields)
    if (const auto* v = request.if_contains(field); v != nullptr && echoable(field, *v))
      echo[field] = *v;
  auto text = json_text(echo);
  for (std::string_view big : {"tools", "instructions", "text", "reasoning"}) {
    if (text.size() <= max_echo_bytes)
      break;
    echo.erase(big);
    text = json_text(echo);
  }
  // What is left has small shapes (metadata by plain_metadata); the bound holds regardless.
  return text.size() <= max_echo_bytes ? text : std::string{};
}

result<void> decode_member(std::string_view k, const json::value& value, const limits& bounds,
                           client_request& out) {
  auto& req = out.request;
  std::string field{k};
  if (k == "model") {
    auto m = string_of(value, field, bounds.max_model_bytes);
    if (!m)
      return std::move(m).error();
    out.model = std::move(*m);
  } else if (k == "input") {
    return decode_input(value, bounds, req);
  } else if (k == "instructions") {
    if (value.is_null())
      return {};
    auto text = string_of(value, field, bounds.max_string_bytes);
    if (!text)
      return std::move(text).error();
    if (!text->empty())
      req.messages.insert(req.messages.begin(),
                          message{role::system, std::move(*text), {}, {}, {}});
  } else if (k == "stream") {
    if (value.is_null())
      return {};
    auto b = bool_of(value, field);
    if (!b)
      return std::move(b).error();
    out.stream = *b;
  } else if (k == "max_output_tokens") {
    return token_limit(value, field, bounds, req);
  } else if (k == "temperature" || k == "top_p") {
    return sampling(value, field, req);
  } else if (k == "tools") {
    auto tools = responses_tools(value, bounds);
    if (!tools)
      return std::move(tools).error();
    req.tools = std::move(tools->tools);
    out.freeform_tools = std::move(tools->freeform);
  } else if (k == "tool_choice") {
    return responses_tool_choice(value, out);
  } else if (k == "parallel_tool_calls") {
    return parallel_tool_calls(value, out);
  } else if (k == "text") {
    auto f = responses_text(value, bounds);
    if (!f)
      return std::move(f).error();
    req.format = std::move(*f);
  } else if (k == "reasoning") {
    return decode_reasoning(value, out);
  } else if (k == "include") {
    return decode_include(value, out);
  } else if (k == "previous_response_id") {
    if (!value.is_null())
      return unsupported_field(field, "this gateway stores no responses: send the whole "
                                      "conversation in input");
  } else if (listed(unsupported_fields, k)) {
    if (!value.is_null())
      return unsupported_field(field, "not supported by this gateway yet");
  } else if (!listed(ignored_fields, k)) {
    return bad_field(field, "unknown field");
  }
  return {};
}

} // namespace

result<client_request> parse_responses_request(std::string_view body, const limits& bounds) {
  auto parsed = parse_body(body, bounds);
  if (!parsed)
    return std::move(parsed).error();
  const auto& o = parsed->object();
  client_request out;
  out.show_thinking = false; // until reasoning.summary asks for it
  // instructions may come before or after input: input first, so instructions lead.
  if (const auto* input = o.if_contains("input"))
    if (auto ok = decode_member("input", *input, bounds, out); !ok)
      return ok.error();
  for (const auto& [key, value] : o)
    if (view(key) != "input")
      if (auto ok = decode_member(view(key), value, bounds, out); !ok)
        return ok.error();
  if (out.model.empty())
    return bad_field("model", o.contains("model") ? "must not be empty" : "missing");
  bool spoken = false;
  for (const auto& m : out.request.messages)
    spoken = spoken || m.who != role::system;
  if (!spoken)
    return bad_field("input", o.contains("input") ? "expected at least one item besides "
                                                    "instructions"
                                                  : "missing");
  if (auto ok = settle_tools(out); !ok)
    return ok.error();
  out.echo = echo_of(o);
  return out;
}

} // namespace et::gateway
