// Ollama's native API: POST /api/chat (NDJSON when streaming), GET /api/tags.

#include <boost/json.hpp>
#include <charconv>

#include "et/wire/classify.hpp"
#include "et/wire/detail/common.hpp"
#include "et/wire/detail/images.hpp"
#include "et/wire/detail/tool_policy.hpp"

namespace et::wire::detail {

namespace {

namespace json = boost::json;

json::object message_json(const message& m) {
  json::object o{{"role", to_string(m.who)}, {"content", m.content}};
  if (m.who == role::tool && !m.name.empty())
    o["tool_name"] = m.name;
  // Ollama takes a message's images as a list of base64 beside its text: where each stood in
  // the text is lost, which the API cannot express.
  if (!m.images.empty() && (m.who == role::user || m.who == role::tool)) {
    json::array images;
    for (const auto& i : m.images)
      images.emplace_back(i.data);
    o["images"] = std::move(images);
  }
  if (!m.tool_calls.empty()) {
    json::array calls;
    // Ollama takes arguments as an object, not as JSON text.
    for (const auto& c : m.tool_calls)
      calls.push_back(json::object{
          {"function", {{"name", c.name}, {"arguments", object_or_empty(c.arguments)}}}});
    o["tool_calls"] = std::move(calls);
  }
  return o;
}

json::object tool_json(const tool_spec& t) {
  json::object fn{{"name", t.name}, {"parameters", tool_schema(t)}};
  if (!t.description.empty())
    fn["description"] = t.description;
  return {{"type", "function"}, {"function", std::move(fn)}};
}

// "-1" and "0" mean forever and unload now only as numbers; "5m" is a duration string.
json::value keep_alive_value(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc{} && end == text.data() + text.size())
    return n;
  return json::string{text.data(), text.size()};
}

json::object options_json(const chat_request& req) {
  json::object o;
  if (req.temperature)
    o["temperature"] = *req.temperature;
  if (req.top_p)
    o["top_p"] = *req.top_p;
  if (req.max_tokens)
    o["num_predict"] = *req.max_tokens;
  if (req.num_ctx)
    o["num_ctx"] = *req.num_ctx;
  if (!req.stop.empty()) {
    json::array stop;
    for (const auto& s : req.stop)
      stop.emplace_back(s);
    o["stop"] = std::move(stop);
  }
  return o;
}

json::object request_body(const chat_request& req, bool stream) {
  json::array messages;
  for (const auto& m : req.messages)
    messages.push_back(message_json(m));
  // Ollama streams unless told otherwise, so "stream" is always sent.
  json::object o{{"model", req.model}, {"messages", std::move(messages)}, {"stream", stream}};
  // Ollama cannot be told to call none: it is not shown tools it may not call.
  if (!req.tools.empty() && !req.tool_use.no_calls) {
    json::array tools;
    for (const auto& t : req.tools)
      tools.push_back(tool_json(t));
    o["tools"] = std::move(tools);
  }
  if (auto options = options_json(req); !options.empty())
    o["options"] = std::move(options);
  if (!req.keep_alive.empty())
    o["keep_alive"] = keep_alive_value(req.keep_alive);
  return o;
}

// Ollama gives calls no ids; et needs one to pair results with calls.
tool_call read_call(const json::object& c, size_t ordinal) {
  tool_call call;
  call.id = get_string(c, "id");
  if (call.id.empty())
    call.id = "call_" + std::to_string(ordinal);
  if (const auto* fn = get_object(c, "function")) {
    call.name = get_string(*fn, "name");
    const auto* args = fn->if_contains("arguments");
    call.arguments = args == nullptr || args->is_null() ? "{}"
                     : args->is_string()                ? std::string{args->get_string()}
                                                        : to_text(*args);
  }
  return call;
}

bool is_done(const json::object& o) {
  const auto* done = o.if_contains("done");
  return done != nullptr && done->is_bool() && done->get_bool();
}

// One object of a stream, or the whole non-streamed answer; a failure for
// implausible counts or too many tool calls.
result<void> read_part(const json::object& o, chat_response& r, std::vector<chunk>* out) {
  if (r.model.empty())
    r.model = get_string(o, "model");
  std::string_view text = get_string(o, "response"); // /api/generate's spelling
  std::string_view thinking = get_string(o, "thinking");
  auto calls_before = r.tool_calls.size();
  if (const auto* m = get_object(o, "message")) {
    text = get_string(*m, "content");
    thinking = get_string(*m, "thinking");
    if (const auto* calls = get_array(*m, "tool_calls"))
      for (const auto& c : *calls)
        if (c.is_object())
          r.tool_calls.push_back(read_call(c.get_object(), r.tool_calls.size()));
  }
  r.content += text;
  r.reasoning += thinking;
  if (out != nullptr)
    push_chunk(*out, text, thinking);
  if (r.tool_calls.size() != calls_before) // calls come whole: only new ones change the sums
    if (auto limits = check_tool_calls(r.tool_calls); !limits)
      return limits.error();
  if (!is_done(o))
    return {};
  count_reader count{"Ollama counts"};
  r.tokens.prompt_tokens = count(o, "prompt_eval_count");
  r.tokens.completion_tokens = count(o, "eval_count");
  if (auto s = count.status(); !s)
    return s.error();
  auto reason = get_string(o, "done_reason");
  r.finish = reason == "length"                   ? finish_reason::length
             : !r.tool_calls.empty()              ? finish_reason::tool_calls
             : reason.empty() || reason == "stop" ? finish_reason::stop
                                                  : finish_reason::unknown;
  return {};
}

class ollama_stream final : public ndjson_stream {
public:
  explicit ollama_stream(std::string secret) : secret_(std::move(secret)) {}

protected:
  result<void> on_line(std::string_view line, std::vector<chunk>& out) override {
    auto parsed = parse_object(line, "Ollama stream line");
    if (!parsed)
      return parsed.error();
    // A failure after the 200 arrives as an {"error": "..."} line.
    if (has_error_member(*parsed))
      return classify_stream_error(line, secret_);
    if (auto read = read_part(*parsed, response_, &out); !read)
      return read;
    done_ = done_ || is_done(*parsed);
    return {};
  }

  bool complete() const override { return done_; }

private:
  std::string secret_;
  bool done_ = false;
};

class ollama_codec final : public codec {
public:
  result<http_request> embed(const embed_request& req) const override {
    return ollama_embed(p_, path_, req);
  }

  result<embed_response> decode_embed(std::string_view body,
                                      const embed_request& req) const override {
    return decode_ollama_embed(body, req);
  }

  explicit ollama_codec(const config::provider& p) : p_(p), path_(base_path(p)) {}

  result<http_request> chat(const chat_request& req, bool stream) const override {
    if (req.model.empty())
      return make_failure(errc::invalid_input, "a chat request needs a model");
    // Documents first: a PDF's link would otherwise be refused for being a link.
    if (auto documents = refuse_documents(
            req, "ollama: PDF documents are not supported (Ollama takes images)", false);
        !documents)
      return documents.error();
    if (auto links = refuse_image_links(req, no_links("ollama")); !links)
      return links.error();
    if (auto tools = refuse_required_tools(req, "ollama"); !tools)
      return tools.error();
    auto body = request_body(req, stream);
    if (auto shaped = add_ollama_format(body, req.format); !shaped)
      return shaped.error();
    auto out = post_json(path_ + "/api/chat", body, stream);
    if (stream) // NDJSON, not SSE
      set_header(out.headers, "Accept", "application/x-ndjson");
    add_authorization(out.headers, p_);
    add_extra_headers(out.headers, p_);
    return out;
  }

  result<chat_response> decode_chat(std::string_view body) const override {
    auto parsed = parse_object(body, "Ollama chat response");
    if (!parsed)
      return parsed.error();
    if (has_error_member(*parsed))
      return classify_stream_error(body, p_.api_key);
    // {} is no answer: an empty one would pass for a model that said nothing.
    if (get_object(*parsed, "message") == nullptr && !parsed->contains("response"))
      return make_failure(errc::invalid_input, "Ollama chat response without \"message\"");
    chat_response r;
    if (auto read = read_part(*parsed, r, nullptr); !read)
      return read.error();
    return r;
  }

  std::unique_ptr<stream_decoder> make_stream_decoder() const override {
    return std::make_unique<ollama_stream>(p_.api_key);
  }

  http_request list_models(std::string_view) const override {
    http_request req;
    req.method = "GET";
    req.target = path_ + "/api/tags";
    req.headers.emplace_back("Accept", "application/json");
    add_authorization(req.headers, p_);
    add_extra_headers(req.headers, p_);
    return req;
  }

  result<model_page> decode_models(std::string_view body) const override {
    auto parsed = parse_object(body, "Ollama model list", listing_memory);
    if (!parsed)
      return parsed.error();
    const auto* models = get_array(*parsed, "models");
    if (models == nullptr)
      return make_failure(errc::invalid_input, "Ollama model list without \"models\"");
    model_page page;
    for (const auto& m : *models) {
      if (!m.is_object())
        continue;
      auto name = get_string(m.get_object(), "name");
      if (name.empty())
        name = get_string(m.get_object(), "model");
      if (!name.empty())
        page.models.push_back(model_info{std::string{name}, {}, std::nullopt});
    }
    return page;
  }

  failure classify(const http_reply& reply) const override {
    return classify_reply(reply, p_.api_key);
  }

private:
  config::provider p_;
  std::string path_;
};

} // namespace

std::unique_ptr<codec> make_ollama(const config::provider& p) {
  return std::make_unique<ollama_codec>(p);
}

} // namespace et::wire::detail
