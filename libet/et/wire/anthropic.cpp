// Anthropic Messages API: POST /v1/messages, streamed as named SSE events.

#include <boost/json.hpp>
#include <map>

#include "et/wire/classify.hpp"
#include "et/wire/detail/anthropic_request.hpp"
#include "et/wire/detail/anthropic_thinking.hpp"
#include "et/wire/detail/common.hpp"
#include "et/wire/detail/images.hpp"
#include "et/wire/detail/tool_policy.hpp"

namespace et::wire::detail {

namespace {

namespace json = boost::json;

// The stop sequence an answer says it ended on: upstream bytes, kept only when it is the
// reason and within a client's bound for one.
std::string stop_sequence_of(const json::object& o) {
  constexpr std::size_t max_stop_sequence = 1024;
  if (get_string(o, "stop_reason") != "stop_sequence")
    return {};
  auto s = get_string(o, "stop_sequence");
  return s.size() <= max_stop_sequence ? std::string{s} : std::string{};
}

finish_reason map_finish(std::string_view r) {
  if (r == "end_turn" || r == "stop_sequence")
    return finish_reason::stop;
  if (r == "max_tokens" || r == "model_context_window_exceeded")
    return finish_reason::length;
  if (r == "tool_use")
    return finish_reason::tool_calls;
  if (r == "refusal")
    return finish_reason::content_filter;
  return finish_reason::unknown;
}

// Anthropic counts cached input apart from input_tokens; et's prompt_tokens
// holds all input (as OpenAI and Gemini report it), cache reads and writes included.
struct token_counts {
  int64_t input = 0, cache_read = 0, cache_write = 0, output = 0;

  result<void> read(const json::object& u) {
    count_reader count{"Anthropic usage"};
    input = count(u, "input_tokens", input);
    cache_read = count(u, "cache_read_input_tokens", cache_read);
    cache_write = count(u, "cache_creation_input_tokens", cache_write);
    output = count(u, "output_tokens", output);
    return count.status();
  }

  usage to_usage() const {
    usage u;
    u.prompt_tokens = input + cache_read + cache_write;
    u.completion_tokens = output;
    u.cache_read_tokens = cache_read;
    u.cache_write_tokens = cache_write;
    return u;
  }
};

class anthropic_stream final : public sse_stream {
public:
  explicit anthropic_stream(std::string secret) : secret_(std::move(secret)) {}

protected:
  // The payload's own "type" names the event, so framing without event lines
  // (recorded payloads, some proxies) decodes the same way.
  result<void> on_event(const sse_event& ev, std::vector<chunk>& out) override {
    auto parsed = parse_object(ev.data, "Anthropic stream event");
    if (!parsed)
      return parsed.error();
    const auto& o = *parsed;
    auto type = get_string(o, "type");
    if (type.empty())
      type = ev.name;
    if (type == "message_start")
      return on_message_start(o);
    if (type == "content_block_start") {
      on_block_start(o, out);
      if (auto ok = check_thoughts(response_.thoughts.size()); !ok)
        return ok;
      return check_tool_limits(response_.tool_calls.size(), argument_bytes_);
    }
    if (type == "content_block_delta") {
      on_block_delta(o, out);
      return check_tool_limits(response_.tool_calls.size(), argument_bytes_);
    }
    if (type == "message_delta")
      return on_message_delta(o);
    if (type == "message_stop")
      done_ = true;
    if (type == "error")
      return classify_stream_error(ev.data, secret_);
    return {}; // ping, content_block_stop and future event types
  }

  bool complete() const override { return done_; }
  std::string_view terminal() const override { return "event: message_stop"; }

  void finalize() override {
    for (auto& c : response_.tool_calls)
      if (c.arguments.empty())
        c.arguments = "{}";
    // As read_thought: an unsigned thinking block is not kept to be sent back.
    std::erase_if(response_.thoughts,
                  [](const thought& t) { return t.signature.empty() && t.redacted.empty(); });
  }

private:
  result<void> on_message_start(const json::object& o) {
    const auto* m = get_object(o, "message");
    if (m == nullptr)
      return {};
    response_.id = get_string(*m, "id");
    response_.model = get_string(*m, "model");
    if (const auto* u = get_object(*m, "usage")) {
      if (auto r = counts_.read(*u); !r)
        return r;
      response_.tokens = counts_.to_usage();
    }
    return {};
  }

  void on_block_start(const json::object& o, std::vector<chunk>& out) {
    const auto* block = get_object(o, "content_block");
    if (block == nullptr)
      return;
    auto type = get_string(*block, "type");
    if (type == "tool_use") {
      // The block's "input" is always {} here; the arguments follow as input_json_delta.
      tool_blocks_[get_int(o, "index").value_or(-1)] = response_.tool_calls.size();
      response_.tool_calls.push_back(tool_call{
          std::string{get_string(*block, "id")}, std::string{get_string(*block, "name")}, {}});
    } else if (type == "text") {
      auto text = get_string(*block, "text"); // empty in practice, but not by contract
      response_.content += text;
      push_chunk(out, text, {});
    } else if (type == "thinking") {
      thought_blocks_[get_int(o, "index").value_or(-1)] = response_.thoughts.size();
      response_.thoughts.emplace_back();
    } else if (auto data = get_string(*block, "data");
               type == "redacted_thinking" && !data.empty()) {
      response_.thoughts.push_back(thought{.redacted = std::string{data}});
      out.push_back(chunk{.redacted = std::string{data}});
    }
  }

  // The thought of the thinking block a delta names; null when it names none.
  thought* thought_at(const json::object& o) {
    auto it = thought_blocks_.find(get_int(o, "index").value_or(-1));
    return it == thought_blocks_.end() ? nullptr : &response_.thoughts[it->second];
  }

  void on_block_delta(const json::object& o, std::vector<chunk>& out) {
    const auto* delta = get_object(o, "delta");
    if (delta == nullptr)
      return;
    auto type = get_string(*delta, "type");
    if (type == "text_delta") {
      auto text = get_string(*delta, "text");
      response_.content += text;
      push_chunk(out, text, {});
    } else if (type == "thinking_delta") {
      auto thinking = get_string(*delta, "thinking");
      response_.reasoning += thinking;
      if (auto* t = thought_at(o))
        t->text += thinking;
      push_chunk(out, {}, thinking);
    } else if (type == "signature_delta") {
      auto signature = get_string(*delta, "signature");
      if (auto* t = thought_at(o); t && !signature.empty()) {
        t->signature += signature;
        out.push_back(chunk{.signature = std::string{signature}});
      }
    } else if (type == "input_json_delta") {
      auto it = tool_blocks_.find(get_int(o, "index").value_or(-1));
      if (it != tool_blocks_.end()) {
        auto part = get_string(*delta, "partial_json");
        argument_bytes_ += part.size();
        response_.tool_calls[it->second].arguments += part;
      }
    }
  }

  result<void> on_message_delta(const json::object& o) {
    if (const auto* delta = get_object(o, "delta"))
      if (auto r = get_string(*delta, "stop_reason"); !r.empty()) {
        response_.finish = map_finish(r);
        response_.stop_sequence = stop_sequence_of(*delta);
      }
    if (const auto* u = get_object(o, "usage")) {
      // output_tokens here is the final, cumulative count
      if (auto r = counts_.read(*u); !r)
        return r;
      response_.tokens = counts_.to_usage();
    }
    return {};
  }

  std::string secret_;
  token_counts counts_;
  std::map<int64_t, size_t> tool_blocks_;    // content block index -> tool_calls index
  std::map<int64_t, size_t> thought_blocks_; // content block index -> thoughts index
  size_t argument_bytes_ = 0;                // of every tool call so far
  bool done_ = false;
};

class anthropic_codec final : public codec {
public:
  explicit anthropic_codec(const config::provider& p) : p_(p), path_(base_path(p)) {}

  result<http_request> chat(const chat_request& req, bool stream) const override {
    if (req.model.empty())
      return make_failure(errc::invalid_input, "a chat request needs a model");
    if (auto links = refuse_links_off_cloud(req, p_); !links)
      return links.error();
    auto body = anthropic_request_body(req, stream);
    if (auto shaped = add_anthropic_format(body, req.format); !shaped)
      return shaped.error();
    if (auto tools = add_anthropic_tool_policy(body, req); !tools)
      return tools.error();
    auto out = post_json(path_ + "/v1/messages", body, stream);
    add_protocol_headers(out.headers);
    return out;
  }

  result<http_request> count_tokens(const chat_request& req) const override {
    if (req.model.empty())
      return make_failure(errc::invalid_input, "a token-count request needs a model");
    if (auto links = refuse_links_off_cloud(req, p_); !links)
      return links.error();
    auto body = anthropic_count_body(req);
    if (auto shaped = add_anthropic_format(body, req.format); !shaped)
      return shaped.error();
    if (auto tools = add_anthropic_tool_policy(body, req); !tools)
      return tools.error();
    auto out = post_json(path_ + "/v1/messages/count_tokens", body, false);
    add_protocol_headers(out.headers);
    return out;
  }

  result<int64_t> decode_count(std::string_view body) const override {
    return read_token_count(body, "Anthropic token count", "input_tokens", std::nullopt);
  }

  result<chat_response> decode_chat(std::string_view body) const override {
    auto parsed = parse_object(body, "Anthropic message");
    if (!parsed)
      return parsed.error();
    const auto& o = *parsed;
    if (get_string(o, "type") == "error")
      return classify_stream_error(body, p_.api_key);
    // {} is no answer: an empty one would pass for a model that said nothing.
    if (get_array(o, "content") == nullptr)
      return make_failure(errc::invalid_input, "Anthropic message without \"content\"");
    chat_response r;
    r.id = get_string(o, "id");
    r.model = get_string(o, "model");
    r.finish = map_finish(get_string(o, "stop_reason"));
    r.stop_sequence = stop_sequence_of(o);
    if (const auto* u = get_object(o, "usage")) {
      token_counts counts;
      if (auto read = counts.read(*u); !read)
        return read.error();
      r.tokens = counts.to_usage();
    }
    if (const auto* content = get_array(o, "content"))
      for (const auto& b : *content)
        if (b.is_object())
          read_block(b.get_object(), r);
    if (auto limits = check_tool_calls(r.tool_calls); !limits)
      return limits.error();
    if (auto limits = check_thoughts(r.thoughts.size()); !limits)
      return limits.error();
    return r;
  }

  std::unique_ptr<stream_decoder> make_stream_decoder() const override {
    return std::make_unique<anthropic_stream>(p_.api_key);
  }

  http_request list_models(std::string_view page) const override {
    http_request req;
    req.method = "GET";
    req.target = path_ + "/v1/models?limit=1000";
    if (!page.empty())
      req.target += "&after_id=" + percent_encode(page);
    req.headers.emplace_back("Accept", "application/json");
    add_protocol_headers(req.headers);
    return req;
  }

  result<model_page> decode_models(std::string_view body) const override {
    auto parsed = parse_object(body, "Anthropic model list", listing_memory);
    if (!parsed)
      return parsed.error();
    const auto* data = get_array(*parsed, "data");
    if (data == nullptr)
      return make_failure(errc::invalid_input, "Anthropic model list without \"data\"");
    model_page page;
    for (const auto& m : *data) {
      if (!m.is_object() || get_string(m.get_object(), "id").empty())
        continue;
      const auto& o = m.get_object();
      model_info info{std::string{get_string(o, "id")}, std::string{get_string(o, "display_name")},
                      std::nullopt};
      if (auto n = get_limit(o, "max_input_tokens"))
        info.context_window = *n;
      page.models.push_back(std::move(info));
    }
    const auto* more = parsed->if_contains("has_more");
    if (more != nullptr && more->is_bool() && more->get_bool())
      page.next_page = get_string(*parsed, "last_id");
    return page;
  }

  failure classify(const http_reply& reply) const override {
    return classify_reply(reply, p_.api_key);
  }

private:
  static void read_block(const json::object& b, chat_response& r) {
    auto type = get_string(b, "type");
    if (type == "text") {
      r.content += get_string(b, "text");
    } else if (read_thought(b, r)) {
      // thinking and redacted_thinking, kept with their signatures
    } else if (type == "tool_use") {
      const auto* input = b.if_contains("input");
      r.tool_calls.push_back(tool_call{std::string{get_string(b, "id")},
                                       std::string{get_string(b, "name")},
                                       input != nullptr ? to_text(*input) : "{}"});
    }
  }

  void add_protocol_headers(header_list& headers) const {
    // auth_type none lets a keyless proxy stand in front of the API.
    if (!p_.api_key.empty() && p_.auth != config::auth_type::none)
      headers.emplace_back("x-api-key", p_.api_key);
    headers.emplace_back("anthropic-version",
                         p_.anthropic_version.empty() ? "2023-06-01" : p_.anthropic_version);
    add_extra_headers(headers, p_);
  }

  config::provider p_;
  std::string path_;
};

} // namespace

std::unique_ptr<codec> make_anthropic(const config::provider& p) {
  return std::make_unique<anthropic_codec>(p);
}

} // namespace et::wire::detail
