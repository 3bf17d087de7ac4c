// OpenAI Chat Completions, also spoken by vLLM, llama.cpp's server, LM Studio,
// OpenRouter, z.ai and Ollama's /v1 endpoint.

#include <boost/json.hpp>
#include <unordered_map>

#include "et/util/text.hpp"
#include "et/wire/classify.hpp"
#include "et/wire/detail/common.hpp"
#include "et/wire/detail/images.hpp"
#include "et/wire/detail/openai_count.hpp"
#include "et/wire/detail/openai_images.hpp"
#include "et/wire/detail/openai_reasoning.hpp"
#include "et/wire/detail/tool_policy.hpp"

namespace et::wire::detail {

namespace {

namespace json = boost::json;

json::object tool_json(const tool_spec& t) {
  json::object fn{{"name", t.name}};
  if (!t.description.empty())
    fn["description"] = t.description;
  fn["parameters"] = tool_schema(t);
  return {{"type", "function"}, {"function", std::move(fn)}};
}

finish_reason map_finish(std::string_view r) {
  if (r == "stop")
    return finish_reason::stop;
  if (r == "length")
    return finish_reason::length;
  if (r == "tool_calls" || r == "function_call")
    return finish_reason::tool_calls;
  if (r == "content_filter")
    return finish_reason::content_filter;
  return finish_reason::unknown;
}

result<usage> map_usage(const json::object& u) {
  count_reader count{"OpenAI usage"};
  usage out;
  out.prompt_tokens = count(u, "prompt_tokens");
  out.completion_tokens = count(u, "completion_tokens");
  if (const auto* d = get_object(u, "prompt_tokens_details"))
    out.cache_read_tokens = count(*d, "cached_tokens");
  if (out.cache_read_tokens == 0) // DeepSeek's spelling
    out.cache_read_tokens = count(u, "prompt_cache_hit_tokens");
  if (const auto* d = get_object(u, "completion_tokens_details"))
    out.reasoning_tokens = count(*d, "reasoning_tokens");
  if (auto s = count.status(); !s)
    return s.error();
  return out;
}

// Some servers send arguments as an object instead of JSON text.
std::string arguments_text(const json::object& fn) {
  const auto* args = fn.if_contains("arguments");
  if (args == nullptr || args->is_null())
    return {};
  if (args->is_string())
    return std::string{args->get_string()};
  return to_text(*args);
}

// vLLM and DeepSeek say reasoning_content, Ollama and OpenRouter say reasoning.
std::string_view reasoning_of(const json::object& o) {
  auto r = get_string(o, "reasoning_content");
  return r.empty() ? get_string(o, "reasoning") : r;
}

// Content is text, or (some compatible servers) a list of text parts.
std::string content_of(const json::object& o) {
  const auto* c = o.if_contains("content");
  if (c == nullptr || c->is_null())
    return {};
  if (c->is_string())
    return std::string{c->get_string()};
  std::string out;
  if (c->is_array())
    for (const auto& part : c->get_array())
      if (part.is_object())
        out += get_string(part.get_object(), "text");
  return out;
}

// {"error": {...}}, or vLLM's {"object": "error", "message": ...}.
bool has_error(const json::object& o) {
  return has_error_member(o) || get_string(o, "object") == "error";
}

class openai_stream final : public sse_stream {
public:
  explicit openai_stream(std::string secret) : secret_(std::move(secret)) {}

protected:
  result<void> on_event(const sse_event& ev, std::vector<chunk>& out) override {
    if (trim(ev.data) == "[DONE]") {
      done_ = true;
      return {};
    }
    auto parsed = parse_object(ev.data, "OpenAI stream chunk");
    if (!parsed)
      return parsed.error();
    const auto& o = *parsed;
    if (has_error(o))
      return classify_stream_error(ev.data, secret_);
    if (response_.id.empty())
      response_.id = get_string(o, "id");
    if (response_.model.empty())
      response_.model = get_string(o, "model");
    if (const auto* u = get_object(o, "usage")) {
      auto tokens = map_usage(*u);
      if (!tokens)
        return tokens.error();
      response_.tokens = *tokens;
    }
    if (const auto* choices = get_array(o, "choices"))
      for (const auto& c : *choices)
        if (c.is_object() && get_int(c.get_object(), "index").value_or(0) == 0)
          if (auto r = on_choice(c.get_object(), out); !r)
            return r;
    return {};
  }

  bool complete() const override { return done_; }
  std::string_view terminal() const override { return "data: [DONE]"; }

  void finalize() override {
    for (auto& c : response_.tool_calls)
      if (c.arguments.empty())
        c.arguments = "{}";
    if (response_.finish == finish_reason::unknown && !response_.tool_calls.empty())
      response_.finish = finish_reason::tool_calls;
  }

private:
  result<void> on_choice(const json::object& c, std::vector<chunk>& out) {
    if (auto r = get_string(c, "finish_reason"); !r.empty())
      response_.finish = map_finish(r);
    const auto* delta = get_object(c, "delta");
    if (delta == nullptr)
      return {};
    auto text = get_string(*delta, "content");
    auto reasoning = reasoning_of(*delta);
    response_.content += text;
    response_.reasoning += reasoning;
    push_chunk(out, text, reasoning);
    if (const auto* calls = get_array(*delta, "tool_calls"))
      for (const auto& call : *calls)
        if (call.is_object())
          if (auto r = merge_tool_delta(call.get_object()); !r)
            return r;
    return {};
  }

  // Deltas name their call by index; a server that omits the index starts a
  // new call with each new id. The index map keeps a long stream linear: each
  // delta is one lookup, not a scan of the calls so far.
  tool_call& slot_for(const json::object& d) {
    auto& calls = response_.tool_calls;
    auto index = get_int(d, "index");
    auto id = get_string(d, "id");
    if (index) {
      if (auto it = slots_.find(*index); it != slots_.end())
        return calls[it->second];
    } else if (!calls.empty() && (id.empty() || calls.back().id == id)) {
      return calls.back();
    }
    auto key = index.value_or(static_cast<int64_t>(calls.size()));
    slots_.try_emplace(key, calls.size());
    return calls.emplace_back();
  }

  result<void> merge_tool_delta(const json::object& d) {
    auto& call = slot_for(d);
    if (auto id = get_string(d, "id"); !id.empty())
      call.id = id;
    if (const auto* fn = get_object(d, "function")) {
      if (auto name = get_string(*fn, "name"); !name.empty())
        call.name = name;
      auto args = arguments_text(*fn);
      argument_bytes_ += args.size();
      call.arguments += args;
    }
    return check_tool_limits(response_.tool_calls.size(), argument_bytes_);
  }

  std::string secret_;
  std::unordered_map<int64_t, size_t> slots_; // delta index -> position in tool_calls
  size_t argument_bytes_ = 0;                 // of every call so far
  bool done_ = false;
};

class openai_codec final : public codec {
public:
  result<http_request> embed(const embed_request& req) const override {
    return openai_embed(p_, path_, req);
  }

  result<embed_response> decode_embed(std::string_view body,
                                      const embed_request& req) const override {
    return decode_openai_embed(body, req);
  }

  explicit openai_codec(const config::provider& p) : p_(p), path_(base_path(p)) {
    auto u = parse_url(p.base_url.empty() ? "https://api.openai.com/v1" : p.base_url);
    official_ = u && u->host == "api.openai.com";
  }

  result<http_request> chat(const chat_request& req, bool stream) const override {
    if (req.model.empty())
      return make_failure(errc::invalid_input, "a chat request needs a model");
    if (auto links = refuse_links_off_cloud(req, p_); !links)
      return links.error();
    if (auto links = refuse_documents(req,
                                      p_.name
                                          + ": links to PDF documents are not supported "
                                            "(Chat Completions takes a file's bytes): "
                                            "send the document's bytes (base64)",
                                      true);
        !links)
      return links.error();
    auto o = body(req, stream);
    if (auto shaped = add_openai_format(o, req.format); !shaped)
      return shaped.error();
    auto req_out = post_json(path_ + "/chat/completions", o, stream);
    authorize(req_out);
    return req_out;
  }

  result<http_request> count_tokens(const chat_request& req) const override {
    auto out = openai_count_request(path_, official_, req);
    if (out)
      authorize(*out);
    return out;
  }

  result<int64_t> decode_count(std::string_view body) const override {
    return read_token_count(body, "OpenAI input token count", "input_tokens", std::nullopt);
  }

  result<chat_response> decode_chat(std::string_view body) const override {
    auto parsed = parse_object(body, "OpenAI chat completion");
    if (!parsed)
      return parsed.error();
    const auto& o = *parsed;
    if (has_error(o)) // OpenRouter reports some upstream failures with a 200
      return classify_stream_error(body, p_.api_key);
    chat_response r;
    r.id = get_string(o, "id");
    r.model = get_string(o, "model");
    if (const auto* u = get_object(o, "usage")) {
      auto tokens = map_usage(*u);
      if (!tokens)
        return tokens.error();
      r.tokens = *tokens;
    }
    const auto* choices = get_array(o, "choices");
    if (choices == nullptr || choices->empty() || !choices->front().is_object())
      return make_failure(errc::invalid_input, "OpenAI chat completion without choices");
    const auto& choice = choices->front().get_object();
    r.finish = map_finish(get_string(choice, "finish_reason"));
    if (const auto* m = get_object(choice, "message")) {
      r.content = content_of(*m);
      r.reasoning = reasoning_of(*m);
      if (const auto* calls = get_array(*m, "tool_calls"))
        for (const auto& c : *calls)
          if (c.is_object())
            r.tool_calls.push_back(read_call(c.get_object()));
    }
    if (auto limits = check_tool_calls(r.tool_calls); !limits)
      return limits.error();
    return r;
  }

  std::unique_ptr<stream_decoder> make_stream_decoder() const override {
    return std::make_unique<openai_stream>(p_.api_key);
  }

  http_request list_models(std::string_view) const override {
    http_request req;
    req.method = "GET";
    req.target = path_ + "/models";
    req.headers.emplace_back("Accept", "application/json");
    add_authorization(req.headers, p_);
    if (!p_.org.empty())
      req.headers.emplace_back("OpenAI-Organization", p_.org);
    add_extra_headers(req.headers, p_);
    return req;
  }

  result<model_page> decode_models(std::string_view body) const override {
    auto parsed = parse_object(body, "OpenAI model list", listing_memory);
    if (!parsed)
      return parsed.error();
    const auto* data = get_array(*parsed, "data");
    if (data == nullptr)
      return make_failure(errc::invalid_input, "OpenAI model list without \"data\"");
    model_page page;
    for (const auto& m : *data) {
      if (!m.is_object() || get_string(m.get_object(), "id").empty())
        continue;
      const auto& o = m.get_object();
      model_info info;
      info.id = get_string(o, "id");
      info.display_name = get_string(o, "name"); // OpenRouter
      // OpenRouter: context_length, vLLM: max_model_len, Groq: context_window.
      for (auto key : {"context_length", "max_model_len", "context_window"})
        if (auto n = get_limit(o, key); n && !info.context_window)
          info.context_window = *n;
      page.models.push_back(std::move(info));
    }
    return page;
  }

  failure classify(const http_reply& reply) const override {
    return classify_reply(reply, p_.api_key);
  }

private:
  // The key, organization and configured headers every request of this provider carries.
  void authorize(http_request& out) const {
    add_authorization(out.headers, p_);
    if (!p_.org.empty())
      out.headers.emplace_back("OpenAI-Organization", p_.org);
    add_extra_headers(out.headers, p_);
  }

  static tool_call read_call(const json::object& c) {
    tool_call call;
    call.id = get_string(c, "id");
    if (const auto* fn = get_object(c, "function")) {
      call.name = get_string(*fn, "name");
      call.arguments = arguments_text(*fn);
    }
    if (call.arguments.empty())
      call.arguments = "{}";
    return call;
  }

  json::object body(const chat_request& req, bool stream) const {
    bool reasoning = official_ && is_reasoning_model(req.model);
    json::object o{{"model", req.model}, {"messages", openai_messages(req.messages)}};
    // A server of OpenAI's protocol but not OpenAI's (llama.cpp without its templates, an
    // Ollama model without tools) may refuse tools or tool_choice whatever they say: one told
    // to call none is not shown them, as it was before "none" kept them in view.
    bool shown = official_ || !req.tool_use.no_calls;
    if (!req.tools.empty() && shown) {
      json::array tools;
      for (const auto& t : req.tools)
        tools.push_back(tool_json(t));
      o["tools"] = std::move(tools);
      add_openai_tool_policy(o, req, reasoning);
    }
    if (req.max_tokens)
      o[reasoning ? "max_completion_tokens" : "max_tokens"] = *req.max_tokens;
    if (req.temperature && !reasoning)
      o["temperature"] = *req.temperature;
    if (req.top_p && !reasoning)
      o["top_p"] = *req.top_p;
    if (reasoning)
      if (auto effort = reasoning_effort(req.model, req.thinking.effort); !effort.empty())
        o["reasoning_effort"] = effort;
    if (!req.stop.empty()) {
      json::array stop;
      for (const auto& s : req.stop)
        stop.emplace_back(s);
      o["stop"] = std::move(stop);
    }
    o["stream"] = stream;
    if (stream) // without it the token counts of a stream are never reported
      o["stream_options"] = {{"include_usage", true}};
    return o;
  }

  config::provider p_;
  std::string path_;
  bool official_ = false;
};

} // namespace

std::unique_ptr<codec> make_openai(const config::provider& p) {
  return std::make_unique<openai_codec>(p);
}

} // namespace et::wire::detail
