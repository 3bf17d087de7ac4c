// Gemini generateContent as generativelanguage.googleapis.com writes it:
// GenerateContentResponse objects, SSE with CRLF separators (alt=sse) where
// the last chunk carries finishReason, paginated model lists, and the
// google.rpc.Status error envelope (shared/fixtures/gemini).

#include <boost/json.hpp>

#include "encoding.hpp"
#include "protocols.hpp"

namespace et::fake {
namespace {

namespace json = boost::json;
using detail::json_text;

std::string sse_crlf(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 10);
  out.append("data: ").append(data).append("\r\n\r\n");
  return out;
}

json::object usage_json(const reply_plan& p, int64_t candidates) {
  return {{"promptTokenCount", p.prompt_tokens},
          {"candidatesTokenCount", candidates},
          {"totalTokenCount", p.prompt_tokens + candidates},
          {"promptTokensDetails",
           json::array{json::object{{"modality", "TEXT"}, {"tokenCount", p.prompt_tokens}}}}};
}

json::object response_json(const reply_plan& p, std::string_view text, int64_t candidates,
                           bool last, std::string_view thought = {}) {
  json::array parts;
  if (!thought.empty()) // with includeThoughts: a part marked as thought
    parts.push_back(json::object{{"text", thought}, {"thought", true}});
  if (!text.empty() || thought.empty())
    parts.push_back(json::object{{"text", text}});
  json::object candidate{{"content", {{"parts", std::move(parts)}, {"role", "model"}}}};
  if (last)
    candidate["finishReason"] = p.length_limited ? "MAX_TOKENS" : "STOP";
  candidate["index"] = 0;
  return {{"candidates", json::array{std::move(candidate)}},
          {"usageMetadata", usage_json(p, candidates)},
          {"modelVersion", p.model},
          {"responseId", p.id}};
}

json::object status_json(int code, std::string_view message, std::string_view status,
                         json::array details = {}) {
  json::object e{{"code", code}, {"message", message}, {"status", status}};
  if (!details.empty())
    e["details"] = std::move(details);
  return {{"error", std::move(e)}};
}

json::object rate_limit_json(const error_params& e) {
  auto delay = std::to_string(e.retry_after_seconds) + "s";
  json::array details{
      json::object{{"@type", "type.googleapis.com/google.rpc.QuotaFailure"},
                   {"violations",
                    json::array{json::object{
                        {"quotaMetric",
                         "generativelanguage.googleapis.com/generate_content_free_tier_requests"},
                        {"quotaId", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"},
                        {"quotaDimensions", {{"model", e.model}, {"location", "global"}}},
                        {"quotaValue", "10"}}}}},
      json::object{{"@type", "type.googleapis.com/google.rpc.RetryInfo"}, {"retryDelay", delay}}};
  return status_json(429,
                     "You exceeded your current quota, please check your plan and billing "
                     "details. For more information on this error, head to: "
                     "https://ai.google.dev/gemini-api/docs/rate-limits. Please retry in "
                         + delay + ".",
                     "RESOURCE_EXHAUSTED", std::move(details));
}

json::object invalid_key_json() {
  constexpr std::string_view msg = "API key not valid. Please pass a valid API key.";
  json::array details{
      json::object{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                   {"reason", "API_KEY_INVALID"},
                   {"domain", "googleapis.com"},
                   {"metadata", {{"service", "generativelanguage.googleapis.com"}}}},
      json::object{{"@type", "type.googleapis.com/google.rpc.LocalizedMessage"},
                   {"locale", "en-US"},
                   {"message", msg}}};
  return status_json(400, msg, "INVALID_ARGUMENT", std::move(details));
}

constexpr std::string_view internal_message =
    "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting";

class gemini_encoder final : public encoder {
public:
  std::string body(const reply_plan& p) const override {
    return json_text(response_json(p, p.text, p.completion_tokens, true, p.thinking));
  }

  std::string_view stream_content_type() const override { return "text/event-stream"; }

  std::vector<std::string> stream_head(const reply_plan& p) const override {
    if (p.thinking.empty())
      return {};
    return {sse_crlf(json_text(response_json(p, "", 0, false, p.thinking)))};
  }

  std::string stream_delta(const reply_plan& p, size_t index) const override {
    int64_t so_far = 0; // Gemini reports running totals in every chunk
    for (size_t i = 0; i <= index; ++i)
      so_far += p.chunks[i].tokens;
    bool last = index + 1 == p.chunks.size();
    return sse_crlf(json_text(response_json(p, p.chunks[index].text, so_far, last)));
  }

  std::vector<std::string> stream_tail(const reply_plan& p) const override {
    if (!p.chunks.empty()) // the last delta already carried finishReason
      return {};
    return {sse_crlf(json_text(response_json(p, "", 0, true)))};
  }

  std::string stream_error(const reply_plan&) const override {
    return sse_crlf(json_text(status_json(500, internal_message, "INTERNAL")));
  }

  std::string malformed_body(const reply_plan&) const override {
    return R"({"candidates": [{"content": {"parts": [{"text": )";
  }

  std::string malformed_event(const reply_plan&) const override {
    return sse_crlf(R"({"candidates": [{"content": {"parts": [{"text": )");
  }

  std::string models(const model_query& q) const override {
    const auto& all = *q.models;
    size_t start = std::min(all.size(), detail::page_start(q.page_token));
    size_t size = q.page_size > 0 ? static_cast<size_t>(q.page_size) : 50;
    size_t end = std::min(all.size(), start + size);
    json::array list;
    for (size_t i = start; i < end; ++i)
      list.push_back(json::object{
          {"name", "models/" + all[i]},
          {"version", "001"},
          {"displayName", all[i]},
          {"description", "A model of the fake upstream."},
          {"inputTokenLimit", 1048576},
          {"outputTokenLimit", 65536},
          {"supportedGenerationMethods", json::array{"generateContent", "countTokens"}}});
    json::object o{{"models", std::move(list)}};
    if (end < all.size())
      o["nextPageToken"] = std::to_string(end);
    return json_text(o);
  }

  error_reply error(fault f, const error_params& e) const override {
    error_reply r;
    r.content_type = "application/json; charset=UTF-8";
    switch (f) {
      case fault::rate_limit: // the delay travels in RetryInfo, not in a header
        r.status = 429;
        r.body = json_text(rate_limit_json(e));
        break;
      case fault::context_overflow:
        r.status = 400;
        r.body = json_text(
            status_json(400,
                        "The input token count (" + std::to_string(e.prompt_tokens + 1048576)
                            + ") exceeds the maximum number of tokens allowed (1048576).",
                        "INVALID_ARGUMENT"));
        break;
      case fault::unauthorized: // Gemini answers a bad key with 400, not 401
        r.status = 400;
        r.body = json_text(invalid_key_json());
        break;
      case fault::unavailable:
      case fault::overloaded:
        r.status = 503;
        r.body = json_text(
            status_json(503, "The model is overloaded. Please try again later.", "UNAVAILABLE"));
        break;
      default:
        r.status = 500;
        r.body = json_text(status_json(500, internal_message, "INTERNAL"));
        break;
    }
    return r;
  }
};

} // namespace

namespace detail {
const encoder& gemini_encoder_instance() {
  static const gemini_encoder instance;
  return instance;
}
} // namespace detail

} // namespace et::fake
