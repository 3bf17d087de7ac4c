// Ollama's native API as a local `ollama serve` writes it: /api/chat objects,
// NDJSON streams whose last line has done:true and the eval counts, and the
// flat {"error":"..."} envelope (shared/fixtures/ollama and Ollama's API docs).

#include <boost/json.hpp>
#include <ctime>

#include "encoding.hpp"
#include "protocols.hpp"

namespace et::fake {
namespace {

namespace json = boost::json;
using detail::json_text;

std::string created_at(int64_t unix_seconds) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000000000Z", &tm);
  return buf;
}

json::object line_json(const reply_plan& p, std::string_view content, bool done) {
  return {{"model", p.model},
          {"created_at", created_at(p.created)},
          {"message", {{"role", "assistant"}, {"content", content}}},
          {"done", done}};
}

// The counters Ollama appends to the final object; durations are nominal.
void add_done_fields(json::object& o, const reply_plan& p) {
  o["done_reason"] = p.length_limited ? "length" : "stop";
  o["total_duration"] = 1000000;
  o["load_duration"] = 1000;
  o["prompt_eval_count"] = p.prompt_tokens;
  o["prompt_eval_duration"] = 1000;
  o["eval_count"] = p.completion_tokens;
  o["eval_duration"] = 1000;
}

std::string error_body(std::string_view message) {
  return json_text(json::object{{"error", message}});
}

class ollama_encoder final : public encoder {
public:
  std::string body(const reply_plan& p) const override {
    auto o = line_json(p, p.text, true);
    if (!p.thinking.empty())
      o["message"].as_object()["thinking"] = p.thinking;
    add_done_fields(o, p);
    return json_text(o);
  }

  std::string_view stream_content_type() const override { return "application/x-ndjson"; }

  std::vector<std::string> stream_head(const reply_plan& p) const override {
    if (p.thinking.empty())
      return {};
    auto o = line_json(p, "", false);
    o["message"].as_object()["thinking"] = p.thinking;
    return {json_text(o) + "\n"};
  }

  std::string stream_delta(const reply_plan& p, size_t index) const override {
    return json_text(line_json(p, p.chunks[index].text, false)) + "\n";
  }

  std::vector<std::string> stream_tail(const reply_plan& p) const override {
    auto o = line_json(p, "", true);
    add_done_fields(o, p);
    return {json_text(o) + "\n"};
  }

  std::string stream_error(const reply_plan&) const override {
    return error_body("an error was encountered while running the model") + "\n";
  }

  std::string malformed_body(const reply_plan& p) const override {
    return R"({"model":")" + p.model + R"(","message":{"role":"assistant","content":)";
  }

  std::string malformed_event(const reply_plan& p) const override {
    return R"({"model":")" + p.model
           + R"(","message":{"role":"assistant","content":"x"},"done":fal)"
             "\n";
  }

  std::string models(const model_query& q) const override {
    json::array list;
    for (const auto& m : *q.models)
      list.push_back(json::object{
          {"name", m},
          {"model", m},
          {"modified_at", "2025-05-04T17:37:44.706015396-07:00"},
          {"size", 2019393189},
          {"digest", "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72"},
          {"details",
           {{"parent_model", ""},
            {"format", "gguf"},
            {"family", "llama"},
            {"families", json::array{"llama"}},
            {"parameter_size", "3.2B"},
            {"quantization_level", "Q4_K_M"}}}});
    return json_text(json::object{{"models", std::move(list)}});
  }

  error_reply error(fault f, const error_params& e) const override {
    error_reply r;
    r.content_type = "application/json; charset=utf-8";
    switch (f) {
      case fault::rate_limit: // Ollama Cloud's wording; it sends no retry hint
        r.status = 429;
        r.body = error_body(
            "you've reached your hourly usage limit, please wait or upgrade to continue");
        break;
      case fault::context_overflow: {
        // With truncate:false the runner's own error JSON arrives as a string.
        json::object inner{{"error",
                            {{"code", 400},
                             {"message", "request (" + std::to_string(e.prompt_tokens + 4096)
                                             + " tokens) exceeds the available context size (4096 "
                                               "tokens), try increasing it"},
                             {"type", "exceed_context_size_error"},
                             {"n_prompt_tokens", e.prompt_tokens + 4096},
                             {"n_ctx", 4096}}}};
        r.status = 400;
        r.body = error_body(json_text(inner));
        break;
      }
      case fault::unauthorized:
        r.status = 401;
        r.body = error_body("unauthorized");
        break;
      case fault::unavailable:
      case fault::overloaded:
        r.status = 503;
        r.body = error_body("server busy, please try again.  maximum pending requests exceeded");
        break;
      default:
        r.status = 500;
        r.body = error_body("the model failed to generate a response");
        break;
    }
    return r;
  }
};

} // namespace

namespace detail {
const encoder& ollama_encoder_instance() {
  static const ollama_encoder instance;
  return instance;
}
} // namespace detail

} // namespace et::fake
