#include "et/gateway/response.hpp"

#include "et/gateway/detail/render.hpp"
#include "et/util/json_text.hpp"

namespace et::gateway {

using namespace detail;

namespace {

// The answer's thinking as Anthropic blocks: a Claude upstream's signed blocks as it sent them
// (the client sends them back in its tool loop), else one unsigned block of another provider's
// thinking (which the gateway drops when it comes back).
void add_thinking(json::array& content, const chat_response& r) {
  for (const auto& t : r.thoughts)
    content.push_back(thinking_block(t));
  if (r.thoughts.empty() && !r.reasoning.empty())
    content.push_back(
        json::object{{"type", "thinking"}, {"thinking", r.reasoning}, {"signature", ""}});
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

std::string anthropic_stop_sequence(const chat_response& r) {
  return anthropic_stop(r) == "stop_sequence" ? r.stop_sequence : std::string{};
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
    case finish_reason::stop:
      return r.stop_sequence.empty() ? "end_turn" : "stop_sequence";
    default:
      return "end_turn";
  }
}

std::string openai_response(const chat_response& r, const answer_meta& meta) {
  json::object message{{"role", "assistant"}, {"content", r.content}, {"refusal", nullptr}};
  if (meta.show_thinking && !r.reasoning.empty())
    message["reasoning_content"] = r.reasoning;
  if (meta.show_thinking && !r.thoughts.empty()) // LiteLLM's way: for the tool loop
    message["thinking_blocks"] = thinking_block_array(r.thoughts);
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
  return json_text(o);
}

std::string anthropic_response(const chat_response& r, const answer_meta& meta) {
  json::array content;
  if (meta.show_thinking)
    add_thinking(content, r);
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
                 {"stop_sequence", nullable(anthropic_stop_sequence(r))},
                 {"usage", anthropic_usage(r.tokens)}};
  return json_text(o);
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
    return json_text(json::object{{"object", "list"}, {"data", std::move(data)}});
  json::object o{{"data", data},
                 {"has_more", false},
                 {"first_id", models.empty() ? json::value{} : json::value(models.front().id)},
                 {"last_id", models.empty() ? json::value{} : json::value(models.back().id)}};
  return json_text(o);
}

std::string anthropic_count(int64_t input_tokens) {
  return json_text(json::object{{"input_tokens", input_tokens}});
}

std::size_t hold_to_policy(chat_response& r, const tool_policy& policy) {
  if (policy.no_calls && !r.tool_calls.empty()) {
    auto dropped = r.tool_calls.size();
    r.tool_calls.clear();
    if (r.finish == finish_reason::tool_calls)
      r.finish = finish_reason::stop;
    return dropped;
  }
  if (!policy.one_at_a_time || r.tool_calls.size() <= 1)
    return 0;
  auto dropped = r.tool_calls.size() - 1;
  r.tool_calls.resize(1);
  return dropped;
}

} // namespace et::gateway
