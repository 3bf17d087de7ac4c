#include "et/gateway/response.hpp"

#include <boost/json.hpp>

namespace et::gateway {

namespace json = boost::json;

namespace {

json::object openai_usage(const usage& u) {
  json::object o{{"prompt_tokens", u.prompt_tokens},
                 {"completion_tokens", u.completion_tokens},
                 {"total_tokens", u.prompt_tokens + u.completion_tokens}};
  if (u.cache_read_tokens > 0)
    o["prompt_tokens_details"] = json::object{{"cached_tokens", u.cache_read_tokens}};
  if (u.reasoning_tokens > 0)
    o["completion_tokens_details"] = json::object{{"reasoning_tokens", u.reasoning_tokens}};
  return o;
}

json::object anthropic_usage(const usage& u) {
  // Anthropic counts cached input apart from input_tokens; et's prompt_tokens includes it.
  auto cached = u.cache_read_tokens + u.cache_write_tokens;
  auto input = u.prompt_tokens >= cached ? u.prompt_tokens - cached : u.prompt_tokens;
  return json::object{{"input_tokens", input},
                      {"output_tokens", u.completion_tokens},
                      {"cache_creation_input_tokens", u.cache_write_tokens},
                      {"cache_read_input_tokens", u.cache_read_tokens}};
}

// The call's id, or one made up from the answer's when the upstream gave none
// (Ollama and Gemini do not number their calls).
std::string call_id(const tool_call& c, const answer_meta& meta, std::size_t i,
                    const char* prefix) {
  return c.id.empty() ? prefix + meta.id + "_" + std::to_string(i) : c.id;
}

json::array openai_calls(const chat_response& r, const answer_meta& meta, bool indexed) {
  json::array calls;
  for (std::size_t i = 0; i < r.tool_calls.size(); ++i) {
    const auto& c = r.tool_calls[i];
    json::object call{{"id", call_id(c, meta, i, "call_")},
                      {"type", "function"},
                      {"function", json::object{{"name", c.name}, {"arguments", c.arguments}}}};
    if (indexed)
      call["index"] = i;
    calls.push_back(std::move(call));
  }
  return calls;
}

// Arguments as an object (check_relayable made sure they are one).
json::value input_of(const tool_call& c) {
  boost::system::error_code ec;
  auto v = c.arguments.empty() ? json::value(json::object{}) : json::parse(c.arguments, ec);
  return ec || !v.is_object() ? json::value(json::object{}) : v;
}

std::string sse(const json::value& v) {
  return "data: " + json::serialize(v) + "\n\n";
}

std::string named_sse(const char* event, const json::value& v) {
  return std::string{"event: "} + event + "\ndata: " + json::serialize(v) + "\n\n";
}

} // namespace

result<void> check_relayable(protocol p, const chat_response& r) {
  if (p != protocol::anthropic)
    return {};
  for (const auto& c : r.tool_calls) {
    boost::system::error_code ec;
    auto v = c.arguments.empty() ? json::value(json::object{}) : json::parse(c.arguments, ec);
    if (ec || !v.is_object())
      return make_failure(errc::invalid_input, "the model called tool \"" + c.name
                                                   + "\" with arguments that are not a JSON "
                                                     "object, which Anthropic clients cannot read");
  }
  return {};
}

std::string openai_finish(const chat_response& r) {
  if (!r.tool_calls.empty())
    return "tool_calls";
  switch (r.finish) {
    case finish_reason::length:
      return "length";
    case finish_reason::tool_calls:
      return "tool_calls";
    case finish_reason::content_filter:
      return "content_filter";
    default:
      return "stop";
  }
}

std::string anthropic_stop(const chat_response& r) {
  if (!r.tool_calls.empty())
    return "tool_use";
  switch (r.finish) {
    case finish_reason::length:
      return "max_tokens";
    case finish_reason::tool_calls:
      return "tool_use";
    case finish_reason::content_filter:
      return "refusal";
    default:
      return "end_turn";
  }
}

std::string openai_response(const chat_response& r, const answer_meta& meta) {
  json::object message{{"role", "assistant"}, {"content", r.content}, {"refusal", nullptr}};
  if (!r.tool_calls.empty()) {
    message["tool_calls"] = openai_calls(r, meta, false);
    if (r.content.empty())
      message["content"] = nullptr;
  }
  json::object choice{{"index", 0},
                      {"message", std::move(message)},
                      {"logprobs", nullptr},
                      {"finish_reason", openai_finish(r)}};
  json::object o{{"id", meta.id},
                 {"object", "chat.completion"},
                 {"created", meta.created},
                 {"model", meta.model},
                 {"choices", json::array{std::move(choice)}},
                 {"usage", openai_usage(r.tokens)}};
  return json::serialize(o);
}

std::string anthropic_response(const chat_response& r, const answer_meta& meta) {
  json::array content;
  if (!r.content.empty() || r.tool_calls.empty())
    content.push_back(json::object{{"type", "text"}, {"text", r.content}});
  for (std::size_t i = 0; i < r.tool_calls.size(); ++i)
    content.push_back(json::object{{"type", "tool_use"},
                                   {"id", call_id(r.tool_calls[i], meta, i, "toolu_")},
                                   {"name", r.tool_calls[i].name},
                                   {"input", input_of(r.tool_calls[i])}});
  json::object o{{"id", meta.id},
                 {"type", "message"},
                 {"role", "assistant"},
                 {"model", meta.model},
                 {"content", std::move(content)},
                 {"stop_reason", anthropic_stop(r)},
                 {"stop_sequence", nullptr},
                 {"usage", anthropic_usage(r.tokens)}};
  return json::serialize(o);
}

// -- OpenAI stream -------------------------------------------------------------

openai_stream::openai_stream(answer_meta meta, bool include_usage)
    : meta_(std::move(meta)), include_usage_(include_usage) {}

std::string openai_stream::chunk_event(const std::string& delta_json, const char* finish) const {
  json::object choice{
      {"index", 0},
      {"delta", json::parse(delta_json)},
      {"logprobs", nullptr},
      {"finish_reason", finish ? json::value(json::string(finish)) : json::value{}}};
  json::object o{{"id", meta_.id},
                 {"object", "chat.completion.chunk"},
                 {"created", meta_.created},
                 {"model", meta_.model},
                 {"choices", json::array{std::move(choice)}}};
  if (include_usage_)
    o["usage"] = nullptr;
  return sse(o);
}

std::string openai_stream::start() const {
  return chunk_event(R"({"role":"assistant","content":""})", nullptr);
}

std::string openai_stream::text(const std::string& piece) const {
  return chunk_event(json::serialize(json::object{{"content", piece}}), nullptr);
}

std::string openai_stream::finish(const chat_response& r) const {
  std::string out;
  if (!r.tool_calls.empty())
    out = chunk_event(json::serialize(json::object{{"tool_calls", openai_calls(r, meta_, true)}}),
                      nullptr);
  auto reason = openai_finish(r);
  out += chunk_event("{}", reason.c_str());
  if (include_usage_) {
    json::object o{{"id", meta_.id},           {"object", "chat.completion.chunk"},
                   {"created", meta_.created}, {"model", meta_.model},
                   {"choices", json::array{}}, {"usage", openai_usage(r.tokens)}};
    out += sse(o);
  }
  return out + "data: [DONE]\n\n";
}

std::string openai_stream::fail(const client_error& e) const {
  return "data: " + error_body(protocol::openai, e) + "\n\n";
}

// -- Anthropic stream ----------------------------------------------------------

anthropic_stream::anthropic_stream(answer_meta meta) : meta_(std::move(meta)) {}

std::string anthropic_stream::start() const {
  json::object message{{"id", meta_.id},           {"type", "message"},
                       {"role", "assistant"},      {"model", meta_.model},
                       {"content", json::array{}}, {"stop_reason", nullptr},
                       {"stop_sequence", nullptr}, {"usage", anthropic_usage(usage{})}};
  auto out = named_sse("message_start",
                       json::object{{"type", "message_start"}, {"message", std::move(message)}});
  out += named_sse("content_block_start",
                   json::object{{"type", "content_block_start"},
                                {"index", 0},
                                {"content_block", json::object{{"type", "text"}, {"text", ""}}}});
  return out + named_sse("ping", json::object{{"type", "ping"}});
}

std::string anthropic_stream::text(const std::string& piece) const {
  return named_sse("content_block_delta",
                   json::object{{"type", "content_block_delta"},
                                {"index", 0},
                                {"delta", json::object{{"type", "text_delta"}, {"text", piece}}}});
}

std::string anthropic_stream::finish(const chat_response& r) const {
  auto out =
      named_sse("content_block_stop", json::object{{"type", "content_block_stop"}, {"index", 0}});
  for (std::size_t i = 0; i < r.tool_calls.size(); ++i) {
    const auto& c = r.tool_calls[i];
    auto index = i + 1; // the text block is 0
    json::object block{{"type", "tool_use"},
                       {"id", call_id(c, meta_, i, "toolu_")},
                       {"name", c.name},
                       {"input", json::object{}}};
    out += named_sse("content_block_start", json::object{{"type", "content_block_start"},
                                                         {"index", index},
                                                         {"content_block", std::move(block)}});
    json::object input{{"type", "input_json_delta"},
                       {"partial_json", json::serialize(input_of(c))}};
    out += named_sse("content_block_delta", json::object{{"type", "content_block_delta"},
                                                         {"index", index},
                                                         {"delta", std::move(input)}});
    out += named_sse("content_block_stop",
                     json::object{{"type", "content_block_stop"}, {"index", index}});
  }
  json::object delta{{"stop_reason", anthropic_stop(r)}, {"stop_sequence", nullptr}};
  out += named_sse("message_delta", json::object{{"type", "message_delta"},
                                                 {"delta", std::move(delta)},
                                                 {"usage", anthropic_usage(r.tokens)}});
  return out + named_sse("message_stop", json::object{{"type", "message_stop"}});
}

std::string anthropic_stream::fail(const client_error& e) const {
  return named_sse("error", json::parse(error_body(protocol::anthropic, e)));
}

// -- models --------------------------------------------------------------------

std::string models_list(protocol p, const std::vector<offered_model>& models) {
  json::array data;
  for (const auto& m : models) {
    if (p == protocol::openai)
      data.push_back(json::object{
          {"id", m.id}, {"object", "model"}, {"created", 0}, {"owned_by", "et " + m.kind}});
    else
      data.push_back(json::object{{"type", "model"},
                                  {"id", m.id},
                                  {"display_name", m.id + " (et " + m.kind + ")"},
                                  {"created_at", "1970-01-01T00:00:00Z"}});
  }
  if (p == protocol::openai)
    return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
  json::object o{{"data", data},
                 {"has_more", false},
                 {"first_id", models.empty() ? json::value{} : json::value(models.front().id)},
                 {"last_id", models.empty() ? json::value{} : json::value(models.back().id)}};
  return json::serialize(o);
}

} // namespace et::gateway
