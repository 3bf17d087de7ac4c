// OpenAI Chat Completions as api.openai.com writes it: chat.completion
// objects, chat.completion.chunk SSE events ending in `data: [DONE]`, and the
// {"error":{message,type,param,code}} envelope (shapes from the recorded
// exchanges in shared/fixtures/openai).

#include <boost/json.hpp>

#include "encoding.hpp"
#include "protocols.hpp"

namespace et::fake {
namespace {

namespace json = boost::json;
using detail::json_text;
using detail::sse_data;

json::object usage_json(const reply_plan& p) {
  return {{"prompt_tokens", p.prompt_tokens},
          {"completion_tokens", p.completion_tokens},
          {"total_tokens", p.prompt_tokens + p.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", 0}, {"audio_tokens", 0}}},
          {"completion_tokens_details",
           {{"reasoning_tokens", 0},
            {"audio_tokens", 0},
            {"accepted_prediction_tokens", 0},
            {"rejected_prediction_tokens", 0}}}};
}

const char* finish(const reply_plan& p) {
  if (!p.tool.empty())
    return "tool_calls";
  return p.length_limited ? "length" : "stop";
}

// The x-fake-tool call; `part` 0 is whole, 1 and 2 are the halves a stream sends.
json::object tool_call_json(const reply_plan& p, int part) {
  std::string_view args = fake_tool_arguments;
  auto half = args.size() / 2;
  json::object fn{{"arguments", part == 0   ? args
                                : part == 1 ? args.substr(0, half)
                                            : args.substr(half)}};
  json::object call{{"function", std::move(fn)}};
  if (part != 2) {
    call["id"] = "call_" + p.id;
    call["type"] = "function";
    call["function"].as_object()["name"] = p.tool;
  }
  if (part != 0)
    call["index"] = 0;
  return call;
}

// Every chunk repeats the response's id, model and creation time.
json::object chunk_json(const reply_plan& p, json::array choices) {
  return {{"id", p.id},       {"object", "chat.completion.chunk"}, {"created", p.created},
          {"model", p.model}, {"system_fingerprint", "fp_fake"},   {"choices", std::move(choices)}};
}

json::array one_choice(json::object delta, json::value finish_reason) {
  return {json::object{{"index", 0},
                       {"delta", std::move(delta)},
                       {"logprobs", nullptr},
                       {"finish_reason", std::move(finish_reason)}}};
}

json::object error_json(std::string_view message, std::string_view type, json::value code,
                        json::value param = nullptr) {
  return {{"error",
           {{"message", message},
            {"type", type},
            {"param", std::move(param)},
            {"code", std::move(code)}}}};
}

class openai_encoder final : public encoder {
public:
  std::string body(const reply_plan& p) const override {
    json::object msg{{"role", "assistant"},
                     {"content", p.text},
                     {"refusal", nullptr},
                     {"annotations", json::array{}}};
    if (!p.tool.empty())
      msg["tool_calls"] = json::array{tool_call_json(p, 0)};
    if (!p.thinking.empty()) // as DeepSeek and vLLM's reasoning parsers send it
      msg["reasoning_content"] = p.thinking;
    json::object o{{"id", p.id},
                   {"object", "chat.completion"},
                   {"created", p.created},
                   {"model", p.model},
                   {"choices", json::array{json::object{{"index", 0},
                                                        {"message", std::move(msg)},
                                                        {"logprobs", nullptr},
                                                        {"finish_reason", finish(p)}}}},
                   {"usage", usage_json(p)},
                   {"service_tier", "default"},
                   {"system_fingerprint", "fp_fake"}};
    return json_text(o);
  }

  std::string_view stream_content_type() const override {
    return "text/event-stream; charset=utf-8";
  }

  std::vector<std::string> stream_head(const reply_plan& p) const override {
    json::object delta{{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}};
    auto o = chunk_json(p, one_choice(std::move(delta), nullptr));
    if (p.include_usage)
      o["usage"] = nullptr;
    std::vector<std::string> out{sse_data(json_text(o))};
    if (!p.thinking.empty()) {
      auto t = chunk_json(
          p, one_choice({{"content", nullptr}, {"reasoning_content", p.thinking}}, nullptr));
      if (p.include_usage)
        t["usage"] = nullptr;
      out.push_back(sse_data(json_text(t)));
    }
    return out;
  }

  std::string stream_delta(const reply_plan& p, size_t index) const override {
    auto o = chunk_json(p, one_choice({{"content", p.chunks[index].text}}, nullptr));
    if (p.include_usage)
      o["usage"] = nullptr;
    return sse_data(json_text(o));
  }

  std::vector<std::string> stream_tail(const reply_plan& p) const override {
    std::vector<std::string> out;
    for (int part = 1; part <= 2 && !p.tool.empty(); ++part) {
      auto o = chunk_json(
          p, one_choice({{"tool_calls", json::array{tool_call_json(p, part)}}}, nullptr));
      if (p.include_usage)
        o["usage"] = nullptr;
      out.push_back(sse_data(json_text(o)));
    }
    auto last = chunk_json(p, one_choice({}, finish(p)));
    if (p.include_usage)
      last["usage"] = nullptr;
    out.push_back(sse_data(json_text(last)));
    if (p.include_usage) { // the usage-only chunk: empty choices
      auto u = chunk_json(p, {});
      u["usage"] = usage_json(p);
      out.push_back(sse_data(json_text(u)));
    }
    out.emplace_back("data: [DONE]\n\n");
    return out;
  }

  std::string stream_error(const reply_plan&) const override {
    return sse_data(json_text(
        error_json("The server had an error while processing your request. Sorry about that!",
                   "server_error", nullptr)));
  }

  std::string malformed_body(const reply_plan& p) const override {
    return R"({"id":")" + p.id
           + R"(","object":"chat.completion","choices":[{"index":0,"message":{"role":)";
  }

  std::string malformed_event(const reply_plan& p) const override {
    return sse_data(R"({"id":")" + p.id
                    + R"(","object":"chat.completion.chunk","choices":[{"delta":{"content":)");
  }

  std::string models(const model_query& q) const override {
    json::array data;
    for (const auto& m : *q.models)
      data.push_back(json::object{
          {"id", m}, {"object", "model"}, {"created", 1686935002}, {"owned_by", "fake-upstream"}});
    return json_text(json::object{{"object", "list"}, {"data", std::move(data)}});
  }

  error_reply error(fault f, const error_params& e) const override {
    error_reply r;
    r.content_type = "application/json; charset=utf-8";
    r.headers.emplace_back("x-request-id", e.request_id);
    switch (f) {
      case fault::rate_limit:
        r.status = 429;
        r.headers.emplace_back("retry-after", std::to_string(e.retry_after_seconds));
        r.headers.emplace_back("x-ratelimit-limit-requests", "200");
        r.headers.emplace_back("x-ratelimit-remaining-requests", "0");
        r.headers.emplace_back("x-ratelimit-reset-requests",
                               std::to_string(e.retry_after_seconds) + "s");
        r.body = json_text(error_json(
            "Rate limit reached for " + e.model
                + " in organization org-fake on requests per min (RPM): Limit 200, Used 200, "
                  "Requested 1. Please try again in "
                + std::to_string(e.retry_after_seconds)
                + "s. Visit https://platform.openai.com/account/rate-limits to learn more.",
            "requests", "rate_limit_exceeded"));
        break;
      case fault::context_overflow:
        r.status = 400;
        r.body =
            json_text(error_json("This model's maximum context length is 4097 tokens. However, "
                                 "your messages resulted in "
                                     + std::to_string(e.prompt_tokens + 4097)
                                     + " tokens. Please reduce the length of the messages.",
                                 "invalid_request_error", "context_length_exceeded", "messages"));
        break;
      case fault::unauthorized:
        r.status = 401;
        r.body = json_text(
            error_json("Incorrect API key provided: sk-fake. You can find your API key at "
                       "https://platform.openai.com/account/api-keys.",
                       "invalid_request_error", "invalid_api_key"));
        break;
      case fault::unavailable:
      case fault::overloaded:
        r.status = 503;
        r.body = json_text(
            error_json("The server is overloaded or not ready yet.", "server_error", nullptr));
        break;
      default:
        r.status = 500;
        r.body = json_text(error_json(
            "The server had an error processing your request. Sorry about that! You can retry your "
            "request, or contact us through our help center at help.openai.com if you keep seeing "
            "this error. (Please include the request ID "
                + e.request_id + " in your email.)",
            "server_error", nullptr));
        break;
    }
    return r;
  }
};

} // namespace

namespace detail {
/// The OpenAI encoder instance.
const encoder& openai_encoder_instance() {
  static const openai_encoder instance;
  return instance;
}
} // namespace detail

} // namespace et::fake
