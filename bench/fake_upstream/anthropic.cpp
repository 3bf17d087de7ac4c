// Anthropic Messages as api.anthropic.com writes it: a message object, the
// SSE event sequence message_start .. message_stop with `event:` lines, and the
// {"type":"error","error":{type,message},"request_id"} envelope with
// x-should-retry and request-id headers (shared/fixtures/anthropic).

#include <boost/json.hpp>

#include "encoding.hpp"
#include "protocols.hpp"
#include "thinking.hpp"

namespace et::fake {
namespace {

namespace json = boost::json;

using detail::json_text;
using detail::sse_event;

const char* stop_reason(const reply_plan& p) {
  if (!p.tool.empty())
    return "tool_use";
  return p.length_limited ? "max_tokens" : "end_turn";
}

// The text block's index: after the thinking block when there is one.
int64_t text_index(const reply_plan& p) {
  return p.thinking.empty() ? 0 : 1;
}

std::string block_stop(int64_t index) {
  return sse_event("content_block_stop",
                   json_text(json::object{{"type", "content_block_stop"}, {"index", index}}));
}

// A thinking block as a stream: start, the text, the signature, stop.
std::vector<std::string> thinking_events(const reply_plan& p) {
  auto start = json::object{{"type", "content_block_start"},
                            {"index", 0},
                            {"content_block", {{"type", "thinking"}, {"thinking", ""}}}};
  auto delta = [](json::object d) {
    return sse_event("content_block_delta",
                     json_text(json::object{
                         {"type", "content_block_delta"}, {"index", 0}, {"delta", std::move(d)}}));
  };
  return {
      sse_event("content_block_start", json_text(start)), sse_event("ping", R"({"type": "ping"})"),
      delta({{"type", "thinking_delta"}, {"thinking", p.thinking}}),
      delta({{"type", "signature_delta"}, {"signature", fake_thinking_signature}}), block_stop(0)};
}

json::object usage_json(int64_t input, int64_t output) {
  return {{"input_tokens", input},
          {"cache_creation_input_tokens", 0},
          {"cache_read_input_tokens", 0},
          {"output_tokens", output},
          {"service_tier", "standard"}};
}

json::object message_json(const reply_plan& p, json::array content, json::value stop,
                          int64_t output_tokens) {
  return {{"model", p.model},
          {"id", p.id},
          {"type", "message"},
          {"role", "assistant"},
          {"content", std::move(content)},
          {"stop_reason", std::move(stop)},
          {"stop_sequence", nullptr},
          {"usage", usage_json(p.prompt_tokens, output_tokens)}};
}

std::string error_body(std::string_view type, std::string_view message,
                       std::string_view request_id) {
  return json_text(json::object{{"type", "error"},
                                {"error", {{"type", type}, {"message", message}}},
                                {"request_id", request_id}});
}

class anthropic_encoder final : public encoder {
public:
  std::string body(const reply_plan& p) const override {
    json::array content;
    if (!p.thinking.empty())
      content.push_back(json::object{
          {"type", "thinking"}, {"thinking", p.thinking}, {"signature", fake_thinking_signature}});
    content.push_back(json::object{{"type", "text"}, {"text", p.text}});
    if (!p.tool.empty())
      content.push_back(json::object{{"type", "tool_use"},
                                     {"id", "toolu_" + p.id},
                                     {"name", p.tool},
                                     {"input", json::parse(fake_tool_arguments)}});
    return json_text(message_json(p, std::move(content), stop_reason(p), p.completion_tokens));
  }

  std::string_view stream_content_type() const override {
    return "text/event-stream; charset=utf-8";
  }

  std::vector<std::string> stream_head(const reply_plan& p) const override {
    // Anthropic reports output_tokens 1 at the start and the total in message_delta.
    json::object start{{"type", "message_start"}, {"message", message_json(p, {}, nullptr, 1)}};
    json::object block{{"type", "content_block_start"},
                       {"index", text_index(p)},
                       {"content_block", {{"type", "text"}, {"text", ""}}}};
    std::vector<std::string> out{sse_event("message_start", json_text(start))};
    if (!p.thinking.empty())
      for (auto& e : thinking_events(p))
        out.push_back(std::move(e));
    out.push_back(sse_event("content_block_start", json_text(block)));
    if (p.thinking.empty())
      out.push_back(sse_event("ping", R"({"type": "ping"})"));
    return out;
  }

  std::string stream_delta(const reply_plan& p, size_t index) const override {
    json::object o{{"type", "content_block_delta"},
                   {"index", text_index(p)},
                   {"delta", {{"type", "text_delta"}, {"text", p.chunks[index].text}}}};
    return sse_event("content_block_delta", json_text(o));
  }

  std::vector<std::string> stream_tail(const reply_plan& p) const override {
    json::object delta{{"type", "message_delta"},
                       {"delta", {{"stop_reason", stop_reason(p)}, {"stop_sequence", nullptr}}},
                       {"usage", usage_json(p.prompt_tokens, p.completion_tokens)}};
    std::vector<std::string> out{block_stop(text_index(p))};
    auto tool_index = text_index(p) + 1;
    if (!p.tool.empty()) { // a tool_use block whose input comes in two halves
      json::object start{{"type", "content_block_start"},
                         {"index", tool_index},
                         {"content_block",
                          {{"type", "tool_use"},
                           {"id", "toolu_" + p.id},
                           {"name", p.tool},
                           {"input", json::object{}}}}};
      out.push_back(sse_event("content_block_start", json_text(start)));
      std::string_view args = fake_tool_arguments;
      auto half = args.size() / 2;
      for (auto piece : {args.substr(0, half), args.substr(half)}) {
        json::object d{{"type", "content_block_delta"},
                       {"index", tool_index},
                       {"delta", {{"type", "input_json_delta"}, {"partial_json", piece}}}};
        out.push_back(sse_event("content_block_delta", json_text(d)));
      }
      out.push_back(block_stop(tool_index));
    }
    out.push_back(sse_event("message_delta", json_text(delta)));
    out.push_back(sse_event("message_stop", R"({"type":"message_stop"})"));
    return out;
  }

  std::string stream_error(const reply_plan&) const override {
    return sse_event(
        "error",
        R"({"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"}})");
  }

  std::string malformed_body(const reply_plan& p) const override {
    return R"({"model":")" + p.model + R"(","id":")" + p.id
           + R"(","type":"message","content":[{"type":"te)";
  }

  std::string malformed_event(const reply_plan&) const override {
    return sse_event(
        "content_block_delta",
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":)");
  }

  std::string models(const model_query& q) const override {
    const auto& all = *q.models;
    size_t start = 0; // after_id names the last model of the previous page
    for (size_t i = 0; i < all.size() && !q.page_token.empty(); ++i)
      if (all[i] == q.page_token)
        start = i + 1;
    size_t size = q.page_size > 0 ? static_cast<size_t>(q.page_size) : 20;
    size_t end = std::min(all.size(), start + size);
    json::array data;
    for (size_t i = start; i < end; ++i)
      data.push_back(json::object{{"type", "model"},
                                  {"id", all[i]},
                                  {"display_name", all[i]},
                                  {"created_at", "2025-02-19T00:00:00Z"}});
    json::object o{{"data", std::move(data)},
                   {"has_more", end < all.size()},
                   {"first_id", start < end ? json::value(all[start]) : json::value(nullptr)},
                   {"last_id", start < end ? json::value(all[end - 1]) : json::value(nullptr)}};
    return json_text(o);
  }

  error_reply error(fault f, const error_params& e) const override {
    error_reply r;
    r.content_type = "application/json";
    r.headers.emplace_back("request-id", e.request_id);
    r.headers.emplace_back("x-should-retry", "true");
    switch (f) {
      case fault::rate_limit:
        r.status = 429;
        r.headers.emplace_back("retry-after", std::to_string(e.retry_after_seconds));
        r.headers.emplace_back("anthropic-ratelimit-requests-limit", "4000");
        r.headers.emplace_back("anthropic-ratelimit-requests-remaining", "0");
        r.body = error_body(
            "rate_limit_error",
            "This request would exceed your account's rate limit. Please try again later.",
            e.request_id);
        break;
      case fault::overloaded:
        r.status = 529;
        r.body = error_body("overloaded_error", "Overloaded", e.request_id);
        break;
      case fault::context_overflow:
        r.status = 400;
        r.headers.back().second = "false";
        r.body = error_body("invalid_request_error",
                            "prompt is too long: " + std::to_string(e.prompt_tokens + 200000)
                                + " tokens > 200000 maximum",
                            e.request_id);
        break;
      case fault::unauthorized:
        r.status = 401;
        r.headers.back().second = "false";
        r.body = error_body("authentication_error", "invalid x-api-key", e.request_id);
        break;
      case fault::unavailable:
        // Not in Anthropic's documented list; a proxy in front of it says this.
        r.status = 503;
        r.body = error_body("api_error", "Service Unavailable", e.request_id);
        break;
      default:
        r.status = 500;
        r.body = error_body("api_error", "Internal server error", e.request_id);
        break;
    }
    return r;
  }
};

} // namespace

namespace detail {
const encoder& anthropic_encoder_instance() {
  static const anthropic_encoder instance;
  return instance;
}
} // namespace detail

} // namespace et::fake
