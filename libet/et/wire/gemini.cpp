// Gemini (generativelanguage v1beta): generateContent, streamGenerateContent
// as SSE (alt=sse, CRLF framed) and the paginated model list. The request body
// is built in gemini_request.cpp.

#include <boost/json.hpp>

#include "et/util/text.hpp"
#include "et/wire/classify.hpp"
#include "et/wire/detail/common.hpp"
#include "et/wire/detail/gemini_request.hpp"

namespace et::wire::detail {

namespace {

namespace json = boost::json;

// The generateContent body with its answer format, as chat and countTokens send it.
result<json::object> request_body(const chat_request& req) {
  auto body = gemini_request_body(req);
  if (!body)
    return body;
  if (auto shaped = add_gemini_format(*body, req.format); !shaped)
    return shaped.error();
  return body;
}

finish_reason map_finish(std::string_view r, bool has_calls) {
  if (r == "STOP")
    return has_calls ? finish_reason::tool_calls : finish_reason::stop;
  if (r == "MAX_TOKENS")
    return finish_reason::length;
  if (r == "SAFETY" || r == "RECITATION" || r == "BLOCKLIST" || r == "PROHIBITED_CONTENT"
      || r == "SPII" || r == "IMAGE_SAFETY")
    return finish_reason::content_filter;
  return finish_reason::unknown;
}

// candidatesTokenCount leaves the thinking out; et counts it as completion.
result<usage> map_usage(const json::object& u) {
  count_reader count{"Gemini usageMetadata"};
  usage out;
  // Each count is at most max_token_count, so these sums cannot overflow.
  out.prompt_tokens = count(u, "promptTokenCount") + count(u, "toolUsePromptTokenCount");
  out.reasoning_tokens = count(u, "thoughtsTokenCount");
  out.completion_tokens = count(u, "candidatesTokenCount") + out.reasoning_tokens;
  out.cache_read_tokens = count(u, "cachedContentTokenCount");
  if (auto s = count.status(); !s)
    return s.error();
  return out;
}

void read_part(const json::object& part, chat_response& r, std::vector<chunk>* out) {
  if (const auto* fc = get_object(part, "functionCall")) {
    tool_call call;
    call.id = get_string(*fc, "id");
    if (call.id.empty())
      call.id = "call_" + std::to_string(r.tool_calls.size());
    if (auto sig = get_string(part, "thoughtSignature"); !sig.empty())
      call.id += std::string{gemini_signature_marker} + std::string{sig};
    call.name = get_string(*fc, "name");
    const auto* args = fc->if_contains("args");
    call.arguments = args != nullptr && args->is_object() ? to_text(*args) : "{}";
    r.tool_calls.push_back(std::move(call));
    return;
  }
  auto text = get_string(part, "text");
  const auto* thought = part.if_contains("thought");
  bool is_thought = thought != nullptr && thought->is_bool() && thought->get_bool();
  (is_thought ? r.reasoning : r.content) += text;
  if (out != nullptr)
    push_chunk(*out, is_thought ? std::string_view{} : text,
               is_thought ? text : std::string_view{});
}

// The candidate of one answer or streamed chunk; true when it ends the answer.
bool read_candidate(const json::object& o, chat_response& r, std::vector<chunk>* out) {
  if (const auto* fb = get_object(o, "promptFeedback");
      fb && !get_string(*fb, "blockReason").empty()) {
    r.finish = finish_reason::content_filter;
    return true;
  }
  const auto* candidates = get_array(o, "candidates");
  if (candidates == nullptr || candidates->empty() || !candidates->front().is_object())
    return false;
  const auto& c = candidates->front().get_object();
  if (const auto* content = get_object(c, "content"))
    if (const auto* parts = get_array(*content, "parts"))
      for (const auto& p : *parts)
        if (p.is_object())
          read_part(p.get_object(), r, out);
  auto reason = get_string(c, "finishReason");
  if (reason.empty())
    return false;
  r.finish = map_finish(reason, !r.tool_calls.empty());
  return true;
}

// One generateContent answer or one streamed chunk; true when it ends the
// answer. A failure for implausible counts or too many tool calls.
result<bool> read_response(const json::object& o, chat_response& r, std::vector<chunk>* out) {
  if (r.id.empty())
    r.id = get_string(o, "responseId");
  if (r.model.empty())
    r.model = get_string(o, "modelVersion");
  if (const auto* u = get_object(o, "usageMetadata")) {
    auto tokens = map_usage(*u); // cumulative in every chunk
    if (!tokens)
      return tokens.error();
    r.tokens = *tokens;
  }
  auto calls_before = r.tool_calls.size();
  bool ended = read_candidate(o, r, out);
  if (r.tool_calls.size() != calls_before) // calls come whole: only new ones change the sums
    if (auto limits = check_tool_calls(r.tool_calls); !limits)
      return limits.error();
  return ended;
}

class gemini_stream final : public sse_stream {
public:
  explicit gemini_stream(std::string secret) : secret_(std::move(secret)) {}

protected:
  result<void> on_event(const sse_event& ev, std::vector<chunk>& out) override {
    auto parsed = parse_object(ev.data, "Gemini stream chunk");
    if (!parsed)
      return parsed.error();
    if (has_error_member(*parsed))
      return classify_stream_error(ev.data, secret_);
    auto ended = read_response(*parsed, response_, &out);
    if (!ended)
      return ended.error();
    done_ = *ended || done_;
    usage_ = usage_ || parsed->contains("usageMetadata");
    return {};
  }

  bool complete() const override { return done_; }

  // Gemini has no end-of-stream event: a finishReason ends the answer once it said something
  // or its usage came (some translating proxies send an empty STOP first, then the text).
  bool ended() const override {
    return done_ && (usage_ || !response_.content.empty() || !response_.tool_calls.empty());
  }
  std::string_view terminal() const override { return "a chunk with a finishReason"; }

private:
  std::string secret_;
  bool done_ = false;
  bool usage_ = false; ///< a chunk carried usageMetadata
};

class gemini_codec final : public codec {
public:
  result<http_request> embed(const embed_request& req) const override {
    return gemini_embed(p_, path_, req);
  }

  result<embed_response> decode_embed(std::string_view body,
                                      const embed_request& req) const override {
    return decode_gemini_embed(body, req);
  }

  explicit gemini_codec(const config::provider& p) : p_(p), path_(base_path(p)) {}

  // The model id without the "models/" prefix the API also accepts.
  static std::string_view model_of(const chat_request& req) {
    std::string_view model = req.model;
    if (starts_with(model, "models/"))
      model.remove_prefix(7);
    return model;
  }

  result<http_request> chat(const chat_request& req, bool stream) const override {
    auto model = model_of(req);
    if (model.empty())
      return make_failure(errc::invalid_input, "a chat request needs a model");
    auto target = path_ + "/v1beta/models/" + percent_encode(model)
                  + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    auto body = request_body(req);
    if (!body)
      return body.error();
    auto out = post_json(std::move(target), *body, stream);
    add_protocol_headers(out.headers);
    return out;
  }

  // countTokens with the whole generateContent request, so the system instruction and tools
  // are counted too (`contents` alone would leave them out).
  result<http_request> count_tokens(const chat_request& req) const override {
    auto model = model_of(req);
    if (model.empty())
      return make_failure(errc::invalid_input, "a token-count request needs a model");
    auto inner = request_body(req);
    if (!inner)
      return inner.error();
    (*inner)["model"] = "models/" + std::string{model};
    boost::json::object body{{"generateContentRequest", std::move(*inner)}};
    auto out =
        post_json(path_ + "/v1beta/models/" + percent_encode(model) + ":countTokens", body, false);
    add_protocol_headers(out.headers);
    return out;
  }

  // A zero count is left out, as proto3 JSON leaves out every zero; so a count is missing only
  // from an answer of nothing but count details, not from an error or another object.
  result<int64_t> decode_count(std::string_view body) const override {
    auto parsed = parse_object(body, "Gemini token count");
    if (!parsed)
      return parsed.error();
    if (has_error_member(*parsed))
      return classify_stream_error(body, p_.api_key);
    bool details_only = true;
    for (const auto& member : *parsed)
      details_only =
          details_only
          && (member.key() == "promptTokensDetails" || member.key() == "cachedContentTokenCount"
              || member.key() == "cacheTokensDetails");
    return read_token_count(body, "Gemini token count", "totalTokens",
                            details_only ? std::optional<int64_t>{0} : std::nullopt);
  }

  result<chat_response> decode_chat(std::string_view body) const override {
    auto parsed = parse_object(body, "Gemini response");
    if (!parsed)
      return parsed.error();
    if (has_error_member(*parsed))
      return classify_stream_error(body, p_.api_key);
    // {} is no answer (a prompt Gemini blocked has no candidate but its promptFeedback: it
    // finishes with content_filter).
    if (get_array(*parsed, "candidates") == nullptr
        && get_object(*parsed, "promptFeedback") == nullptr)
      return make_failure(errc::invalid_input, "Gemini response without \"candidates\"");
    chat_response r;
    if (auto read = read_response(*parsed, r, nullptr); !read)
      return read.error();
    return r;
  }

  std::unique_ptr<stream_decoder> make_stream_decoder() const override {
    return std::make_unique<gemini_stream>(p_.api_key);
  }

  http_request list_models(std::string_view page) const override {
    http_request req;
    req.method = "GET";
    req.target = path_ + "/v1beta/models?pageSize=1000";
    if (!page.empty())
      req.target += "&pageToken=" + percent_encode(page);
    req.headers.emplace_back("Accept", "application/json");
    add_protocol_headers(req.headers);
    return req;
  }

  result<model_page> decode_models(std::string_view body) const override {
    auto parsed = parse_object(body, "Gemini model list", listing_memory);
    if (!parsed)
      return parsed.error();
    model_page page;
    if (const auto* models = get_array(*parsed, "models")) {
      for (const auto& m : *models) {
        if (!m.is_object())
          continue;
        const auto& o = m.get_object();
        std::string_view id = get_string(o, "name");
        if (starts_with(id, "models/"))
          id.remove_prefix(7);
        if (id.empty())
          continue;
        model_info info{std::string{id}, std::string{get_string(o, "displayName")}, std::nullopt};
        if (auto n = get_limit(o, "inputTokenLimit"))
          info.context_window = *n;
        page.models.push_back(std::move(info));
      }
    }
    page.next_page = get_string(*parsed, "nextPageToken");
    return page;
  }

  failure classify(const http_reply& reply) const override {
    return classify_reply(reply, p_.api_key);
  }

private:
  // The key goes in a header, never in the URL, where logs and proxies keep it.
  void add_protocol_headers(header_list& headers) const {
    if (!p_.api_key.empty() && p_.auth != config::auth_type::none)
      headers.emplace_back("x-goog-api-key", p_.api_key);
    add_extra_headers(headers, p_);
  }

  config::provider p_;
  std::string path_;
};

} // namespace

std::unique_ptr<codec> make_gemini(const config::provider& p) {
  return std::make_unique<gemini_codec>(p);
}

} // namespace et::wire::detail
