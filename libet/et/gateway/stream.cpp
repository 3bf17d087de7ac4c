#include "et/gateway/stream.hpp"

#include "et/gateway/detail/render.hpp"
#include "et/util/json_text.hpp"

namespace et::gateway {

using namespace detail;

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

std::string openai_stream::blocks_ended() {
  auto blocks = thoughts_.take();
  if (blocks.empty())
    return {};
  return chunk_event(json_text(json::object{{"thinking_blocks", thinking_block_array(blocks)}}),
                     nullptr);
}

std::string openai_stream::piece(const chunk& c) {
  if (!meta_.show_thinking)
    return c.text.empty() ? std::string{}
                          : chunk_event(json_text(json::object{{"content", c.text}}), nullptr);
  std::string out;
  if (!c.reasoning.empty())
    out = chunk_event(json_text(json::object{{"reasoning_content", c.reasoning}}), nullptr);
  thoughts_.add(c);
  if (!c.text.empty())
    out += chunk_event(json_text(json::object{{"content", c.text}}), nullptr);
  return out;
}

std::string openai_stream::finish(const chat_response& r) {
  // Every block at once: the SDKs' stream helpers take a second thinking_blocks list as a
  // replacement (node) or refuse it (python), and a client needs them only for its next turn.
  auto out = blocks_ended();
  if (!r.tool_calls.empty())
    out +=
        chunk_event(json_text(json::object{{"tool_calls", openai_calls(r, meta_, true)}}), nullptr);
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

namespace {

std::string block_event(const char* type, int64_t index, json::object more = {}) {
  json::object o{{"type", type}, {"index", index}};
  for (auto& [key, value] : more)
    o.emplace(key, std::move(value));
  return named_sse(type, o);
}

std::string delta_event(int64_t index, const char* type, const char* key, const std::string& v) {
  return block_event("content_block_delta", index,
                     {{"delta", json::object{{"type", type}, {key, v}}}});
}

} // namespace

anthropic_stream::anthropic_stream(answer_meta meta) : meta_(std::move(meta)) {}

std::string anthropic_stream::start() const {
  json::object message{{"id", meta_.id},           {"type", "message"},
                       {"role", "assistant"},      {"model", meta_.model},
                       {"content", json::array{}}, {"stop_reason", nullptr},
                       {"stop_sequence", nullptr}, {"usage", anthropic_usage(usage{})}};
  return named_sse("message_start",
                   json::object{{"type", "message_start"}, {"message", std::move(message)}});
}

// Ends the open block; a thinking block with its signature in one signature_delta (SDKs take
// each one as the whole signature, and an upstream's may come in parts).
std::string anthropic_stream::close() {
  if (open_ == block::none)
    return {};
  std::string out;
  if (!signature_.empty())
    out = delta_event(next_index_ - 1, "signature_delta", "signature", signature_);
  signature_.clear();
  open_ = block::none;
  return out + block_event("content_block_stop", next_index_ - 1);
}

// Closes the open block unless it is a `b` already that takes more (a redacted block, or a
// thinking block once signed, is always followed by a new one), and opens a `b` at the next
// index; `data` is a redacted block's.
std::string anthropic_stream::switch_to(block b, const std::string& data) {
  if (open_ == b && b != block::redacted && !(b == block::thinking && !signature_.empty()))
    return {};
  auto out = close();
  open_ = b;
  had_text_ = had_text_ || b == block::text;
  json::object content;
  if (b == block::text)
    content = {{"type", "text"}, {"text", ""}};
  else if (b == block::thinking)
    content = {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}};
  else
    content = {{"type", "redacted_thinking"}, {"data", data}};
  auto index = next_index_++;
  out += block_event("content_block_start", index, {{"content_block", std::move(content)}});
  if (index == 0) // as Anthropic sends it: a ping after the first block's start
    out += named_sse("ping", json::object{{"type", "ping"}});
  return out;
}

std::string anthropic_stream::piece(const chunk& c) {
  std::string out;
  if (!meta_.show_thinking)
    return c.text.empty() ? out : text_piece(c.text);
  if (!c.reasoning.empty()) {
    out += switch_to(block::thinking);
    out += delta_event(next_index_ - 1, "thinking_delta", "thinking", c.reasoning);
  }
  // A signature ends the thinking block it signs (its parts joined, sent as the block closes);
  // one without thinking text (a model that did not show it) signs an empty block, which still
  // goes back in a tool loop.
  if (!c.signature.empty()) {
    if (open_ != block::thinking)
      out += switch_to(block::thinking);
    signature_ += c.signature;
  }
  if (!c.redacted.empty())
    out += switch_to(block::redacted, c.redacted);
  if (!c.text.empty())
    out += text_piece(c.text);
  return out;
}

std::string anthropic_stream::text_piece(const std::string& text) {
  auto out = switch_to(block::text); // first: it moves next_index_
  return out + delta_event(next_index_ - 1, "text_delta", "text", text);
}

std::string anthropic_stream::finish(const chat_response& r) {
  std::string out;
  if (!had_text_ && r.tool_calls.empty())
    out = switch_to(block::text); // a message has content: an empty text block
  out += close();
  for (std::size_t i = 0; i < r.tool_calls.size(); ++i) {
    const auto& c = r.tool_calls[i];
    auto index = next_index_++;
    json::object use{{"type", "tool_use"},
                     {"id", call_id(c, meta_, i, "toolu_")},
                     {"name", c.name},
                     {"input", json::object{}}};
    out += block_event("content_block_start", index, {{"content_block", std::move(use)}});
    json::object input{{"type", "input_json_delta"}, {"partial_json", json_text(input_of(c))}};
    out += block_event("content_block_delta", index, {{"delta", std::move(input)}});
    out += block_event("content_block_stop", index);
  }
  json::object delta{{"stop_reason", anthropic_stop(r)},
                     {"stop_sequence", nullable(anthropic_stop_sequence(r))}};
  out += named_sse("message_delta", json::object{{"type", "message_delta"},
                                                 {"delta", std::move(delta)},
                                                 {"usage", anthropic_usage(r.tokens)}});
  return out + named_sse("message_stop", json::object{{"type", "message_stop"}});
}

std::string anthropic_stream::fail(const client_error& e) const {
  return named_sse("error", json::parse(error_body(protocol::anthropic, e)));
}

} // namespace et::gateway
