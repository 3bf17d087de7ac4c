#include "et/gateway/responses.hpp"

#include <algorithm>

#include "et/gateway/detail/render.hpp"
#include "et/util/json_text.hpp"

namespace et::gateway {

using namespace detail;

namespace {

json::object responses_usage(const usage& u) {
  return {{"input_tokens", u.prompt_tokens},
          {"input_tokens_details", json::object{{"cached_tokens", u.cache_read_tokens}}},
          {"output_tokens", u.completion_tokens},
          {"output_tokens_details", json::object{{"reasoning_tokens", u.reasoning_tokens}}},
          {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

std::string message_id(const answer_meta& meta) {
  return "msg_" + meta.id;
}

json::object text_part(const std::string& text) {
  return {{"type", "output_text"}, {"text", text}, {"annotations", json::array{}}};
}

// Why an answer stopped short, if it did: Responses' incomplete_details.reason.
const char* incomplete_reason(const chat_response* r) {
  if (r == nullptr)
    return nullptr;
  if (r->finish == finish_reason::length)
    return "max_output_tokens";
  if (r->finish == finish_reason::content_filter)
    return "content_filter";
  return nullptr;
}

// The message item: in progress, or done with `text` (completed, or incomplete when the
// answer `r` stopped short).
json::object message_item(const answer_meta& meta, const std::string& text, bool done,
                          const chat_response* r = nullptr) {
  json::array content;
  if (done)
    content.push_back(text_part(text));
  const char* status = !done ? "in_progress" : incomplete_reason(r) ? "incomplete" : "completed";
  return {{"id", message_id(meta)},
          {"type", "message"},
          {"status", status},
          {"role", "assistant"},
          {"content", std::move(content)}};
}

bool freeform(const answer_meta& meta, const std::string& name) {
  return std::find(meta.freeform_tools.begin(), meta.freeform_tools.end(), name)
         != meta.freeform_tools.end();
}

// The input of a call to a custom tool: its `input` argument (or its one string argument under
// another name), else the whole arguments text (what the model wrote is the client's to judge,
// not et's to drop).
std::string freeform_input(const tool_call& c) {
  boost::system::error_code ec;
  auto v = json::parse(c.arguments, ec);
  if (ec || !v.is_object())
    return c.arguments;
  const auto& o = v.as_object();
  if (const auto* in = o.if_contains("input"); in && in->is_string())
    return std::string{in->as_string()};
  if (o.size() == 1 && o.begin()->value().is_string())
    return std::string{o.begin()->value().as_string()};
  return c.arguments;
}

std::string reasoning_id(const answer_meta& meta, int n) {
  return "rs_" + meta.id + (n == 0 ? "" : "_" + std::to_string(n));
}

json::object summary_part(const std::string& text) {
  return {{"type", "summary_text"}, {"text", text}};
}

// Whether thinking makes a reasoning item for this client: text it shows, or thoughts it carries.
bool reasoning_shown(const answer_meta& meta, const std::string& text,
                     const std::vector<thought>& thoughts) {
  return (meta.show_thinking && !text.empty()) || (meta.carry_thoughts && !thoughts.empty());
}

// A reasoning item: empty as it is added; done, the thinking `text` as its summary when the
// client asked for one, and `thoughts` sealed when it asked for them.
json::object reasoning_item(const answer_meta& meta, const std::string& id, const std::string& text,
                            const std::vector<thought>& thoughts, bool done) {
  json::array summary;
  if (done && meta.show_thinking && !text.empty())
    summary.push_back(summary_part(text));
  json::object item{{"id", id}, {"type", "reasoning"}, {"summary", std::move(summary)}};
  if (done && meta.carry_thoughts)
    item["encrypted_content"] =
        thoughts.empty() ? json::value{} : json::value(seal_thoughts(thoughts));
  return item;
}

std::string call_item_id(const chat_response& r, const answer_meta& meta, std::size_t i) {
  return (freeform(meta, r.tool_calls[i].name) ? "ctc_" : "fc_") + meta.id + "_"
         + std::to_string(i);
}

// A call as a function_call item, or a custom_tool_call item for a custom tool.
json::object call_item(const chat_response& r, const answer_meta& meta, std::size_t i, bool done) {
  const auto& c = r.tool_calls[i];
  if (freeform(meta, c.name))
    return {{"id", call_item_id(r, meta, i)},
            {"type", "custom_tool_call"},
            {"status", done ? "completed" : "in_progress"},
            {"call_id", call_id(c, meta, i, "call_")},
            {"name", c.name},
            {"input", done ? freeform_input(c) : ""}};
  return {{"id", call_item_id(r, meta, i)},
          {"type", "function_call"},
          {"status", done ? "completed" : "in_progress"},
          {"call_id", call_id(c, meta, i, "call_")},
          {"name", c.name},
          {"arguments", done ? c.arguments : ""}};
}

// The response object; `output` and `r` are what is known so far (none before the end).
json::object response_object(const answer_meta& meta, const char* status, json::array output,
                             const chat_response* r) {
  json::object o{{"id", meta.id},
                 {"object", "response"},
                 {"created_at", meta.created},
                 {"status", status},
                 {"error", nullptr},
                 {"incomplete_details", nullptr},
                 {"model", meta.model},
                 {"output", std::move(output)},
                 {"instructions", nullptr},
                 {"metadata", json::object{}},
                 {"temperature", nullptr},
                 {"top_p", nullptr},
                 {"parallel_tool_calls", true},
                 {"tool_choice", "auto"},
                 {"tools", json::array{}},
                 {"max_output_tokens", nullptr},
                 {"text", json::object{{"format", json::object{{"type", "text"}}}}},
                 {"reasoning", json::object{{"effort", nullptr}, {"summary", nullptr}}},
                 {"truncation", "disabled"},
                 {"store", false},
                 {"usage", nullptr}};
  // What the request said, over those defaults (checked when it was decoded).
  boost::system::error_code ec;
  auto echo = !meta.echo || meta.echo->empty() ? json::value{} : json::parse(*meta.echo, ec);
  if (!ec && echo.is_object())
    for (auto& [key, value] : echo.as_object()) {
      auto& into = o[key];
      if (into.is_object() && value.is_object()) // text, reasoning: what was set, over defaults
        for (auto& [member, given] : value.as_object())
          into.as_object()[member] = std::move(given);
      else
        into = std::move(value);
    }
  if (r != nullptr) {
    o["usage"] = responses_usage(r->tokens);
    if (const auto* why = incomplete_reason(r)) {
      o["status"] = "incomplete";
      o["incomplete_details"] = json::object{{"reason", why}};
    }
  }
  return o;
}

json::array whole_output(const chat_response& r, const answer_meta& meta) {
  json::array output;
  if (reasoning_shown(meta, r.reasoning, r.thoughts))
    output.push_back(reasoning_item(meta, reasoning_id(meta, 0), r.reasoning, r.thoughts, true));
  if (!r.content.empty() || r.tool_calls.empty())
    output.push_back(message_item(meta, r.content, true, &r));
  for (std::size_t i = 0; i < r.tool_calls.size(); ++i)
    output.push_back(call_item(r, meta, i, true));
  return output;
}

} // namespace

std::string responses_response(const chat_response& r, const answer_meta& meta) {
  return json_text(response_object(meta, "completed", whole_output(r, meta), &r));
}

responses_stream::responses_stream(answer_meta meta) : meta_(std::move(meta)) {}

std::string responses_stream::event(const char* type, json::object data) {
  return numbered(type, std::move(data), sequence_++);
}

std::string responses_stream::numbered(const char* type, json::object data, int64_t n) {
  data["type"] = type;
  data["sequence_number"] = n;
  return named_sse(type, data);
}

// Made when asked for (a whole answer never is), numbered 0 and 1 however many of a first
// piece's events were made before them: the gateway asks for those first, and sends these first.
std::string responses_stream::start() {
  auto object = response_object(meta_, "in_progress", {}, nullptr);
  auto created = numbered("response.created", {{"response", object}}, 0);
  return created + numbered("response.in_progress", {{"response", std::move(object)}}, 1);
}

std::string responses_stream::open_reasoning() {
  if (reasoning_open_)
    return {};
  reasoning_open_ = true;
  reasoning_at_ = next_index_++;
  reasoning_id_ = reasoning_id(meta_, reasoning_items_++);
  return event("response.output_item.added",
               {{"output_index", reasoning_at_},
                {"item", reasoning_item(meta_, reasoning_id_, "", {}, false)}});
}

std::string responses_stream::summary_delta(const std::string& text) {
  std::string out;
  if (summary_.empty())
    out = event("response.reasoning_summary_part.added", {{"item_id", reasoning_id_},
                                                          {"output_index", reasoning_at_},
                                                          {"summary_index", 0},
                                                          {"part", summary_part("")}});
  summary_ += text;
  return out
         + event("response.reasoning_summary_text.delta", {{"item_id", reasoning_id_},
                                                           {"output_index", reasoning_at_},
                                                           {"summary_index", 0},
                                                           {"delta", text}});
}

std::string responses_stream::close_reasoning() {
  if (!reasoning_open_)
    return {};
  return close_reasoning(meta_.carry_thoughts ? thoughts_.take() : std::vector<thought>{});
}

std::string responses_stream::close_reasoning(const std::vector<thought>& thoughts) {
  std::string out;
  if (!summary_.empty()) {
    out += event("response.reasoning_summary_text.done", {{"item_id", reasoning_id_},
                                                          {"output_index", reasoning_at_},
                                                          {"summary_index", 0},
                                                          {"text", summary_}});
    out += event("response.reasoning_summary_part.done", {{"item_id", reasoning_id_},
                                                          {"output_index", reasoning_at_},
                                                          {"summary_index", 0},
                                                          {"part", summary_part(summary_)}});
  }
  auto item = reasoning_item(meta_, reasoning_id_, summary_, thoughts, true);
  output_.push_back(item);
  reasoning_open_ = false;
  summary_.clear();
  return out
         + event("response.output_item.done", {{"output_index", reasoning_at_}, {"item", item}});
}

// Thinking between text and tool calls (a model that thinks again before calling): an item of
// its own after the message, whole.
std::string responses_stream::late_reasoning() {
  auto thoughts = meta_.carry_thoughts ? thoughts_.take() : std::vector<thought>{};
  if (!reasoning_shown(meta_, late_, thoughts))
    return {};
  auto out = open_reasoning();
  if (meta_.show_thinking && !late_.empty())
    out += summary_delta(late_);
  return out + close_reasoning(thoughts);
}

std::string responses_stream::open_text() {
  if (text_open_)
    return {};
  text_open_ = true;
  text_at_ = next_index_++;
  auto out = event("response.output_item.added",
                   {{"output_index", text_at_}, {"item", message_item(meta_, "", false)}});
  return out
         + event("response.content_part.added", {{"item_id", message_id(meta_)},
                                                 {"output_index", text_at_},
                                                 {"content_index", 0},
                                                 {"part", text_part("")}});
}

std::string responses_stream::piece(const chunk& c) {
  std::string out;
  if (meta_.carry_thoughts)
    thoughts_.add(c);
  bool shown_text = meta_.show_thinking && !c.reasoning.empty();
  if (text_open_) {
    if (shown_text)
      late_ += c.reasoning;
  } else {
    if (shown_text || (meta_.carry_thoughts && (!c.signature.empty() || !c.redacted.empty())))
      out += open_reasoning();
    if (shown_text)
      out += summary_delta(c.reasoning);
  }
  if (c.text.empty())
    return out;
  out += close_reasoning(); // the text begins: the thinking before it is over
  out += open_text();
  text_ += c.text;
  return out
         + event("response.output_text.delta", {{"item_id", message_id(meta_)},
                                                {"output_index", text_at_},
                                                {"content_index", 0},
                                                {"delta", c.text},
                                                {"logprobs", json::array{}}});
}

std::string responses_stream::finish(const chat_response& r) {
  auto out = close_reasoning();
  if (text_open_ || r.tool_calls.empty()) {
    out += open_text(); // an empty answer still has its (empty) message
    out += event("response.output_text.done", {{"item_id", message_id(meta_)},
                                               {"output_index", text_at_},
                                               {"content_index", 0},
                                               {"text", text_},
                                               {"logprobs", json::array{}}});
    out += event("response.content_part.done", {{"item_id", message_id(meta_)},
                                                {"output_index", text_at_},
                                                {"content_index", 0},
                                                {"part", text_part(text_)}});
    auto done = message_item(meta_, text_, true, &r);
    output_.push_back(done);
    out +=
        event("response.output_item.done", {{"output_index", text_at_}, {"item", std::move(done)}});
  }
  out += late_reasoning();
  for (std::size_t i = 0; i < r.tool_calls.size(); ++i) {
    auto index = next_index_++;
    auto id = call_item_id(r, meta_, i);
    const auto& c = r.tool_calls[i];
    out += event("response.output_item.added",
                 {{"output_index", index}, {"item", call_item(r, meta_, i, false)}});
    if (freeform(meta_, c.name)) {
      auto input = freeform_input(c);
      out += event("response.custom_tool_call_input.delta",
                   {{"item_id", id}, {"output_index", index}, {"delta", input}});
      out += event("response.custom_tool_call_input.done",
                   {{"item_id", id}, {"output_index", index}, {"input", input}});
    } else {
      out += event("response.function_call_arguments.delta",
                   {{"item_id", id}, {"output_index", index}, {"delta", c.arguments}});
      out += event(
          "response.function_call_arguments.done",
          {{"item_id", id}, {"output_index", index}, {"name", c.name}, {"arguments", c.arguments}});
    }
    auto done = call_item(r, meta_, i, true);
    output_.push_back(done);
    out += event("response.output_item.done", {{"output_index", index}, {"item", std::move(done)}});
  }
  auto whole = response_object(meta_, "completed", std::move(output_), &r);
  const char* type = whole["status"] == "incomplete" ? "response.incomplete" : "response.completed";
  return out + event(type, {{"response", std::move(whole)}});
}

std::string responses_stream::fail(const client_error& e) {
  auto failed = response_object(meta_, "failed", {}, nullptr);
  json::object error{{"code", e.code.empty() ? "server_error" : e.code}, {"message", e.message}};
  failed["error"] = error;
  auto out = event("response.failed", {{"response", std::move(failed)}});
  // The error event also carries `error` as an object: the official SDKs raise on it.
  return out
         + event("error", {{"code", error["code"]},
                           {"message", e.message},
                           {"param", nullptr},
                           {"error", json::object{{"type", error_type(protocol::openai, e)},
                                                  {"code", error["code"]},
                                                  {"message", e.message}}}});
}

} // namespace et::gateway
