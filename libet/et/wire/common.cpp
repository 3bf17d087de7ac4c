#include "et/wire/detail/common.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <limits>

#include "et/util/bounded_json.hpp"
#include "et/util/json_text.hpp"
#include "et/util/text.hpp"
#include "et/util/url.hpp"
#include "et/wire/detail/anthropic_thinking.hpp"

namespace et::wire::detail {

namespace json = boost::json;

result<json::value> parse_json(std::string_view text, std::string_view what, std::size_t memory) {
  // An upstream's bytes: a body of 64 MiB of [0,0,...] must not take gigabytes to refuse.
  return parse_within(text, memory * text.size() + (std::size_t{64} << 10), 32, what);
}

result<json::object> parse_object(std::string_view text, std::string_view what,
                                  std::size_t memory) {
  auto v = parse_json(text, what, memory);
  if (!v)
    return std::move(v).error();
  if (!v->is_object())
    return make_failure(errc::invalid_input, std::string{what} + " is not a JSON object");
  return std::move(v->as_object());
}

bool has_error_member(const json::object& o) {
  const auto* e = o.if_contains("error");
  return e != nullptr && !e->is_null();
}

std::string_view get_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(json::string_view{key.data(), key.size()});
  if (v == nullptr || !v->is_string())
    return {};
  const auto& s = v->get_string();
  return {s.data(), s.size()};
}

std::optional<int64_t> get_int(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(json::string_view{key.data(), key.size()});
  if (v == nullptr)
    return std::nullopt;
  if (v->is_int64())
    return v->get_int64();
  if (v->is_uint64()) {
    auto u = v->get_uint64();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return std::nullopt;
    return static_cast<int64_t>(u);
  }
  // 2^63 is exact as a double; anything at or past it does not fit.
  if (v->is_double()) {
    double d = v->get_double();
    if (!std::isfinite(d) || d != std::trunc(d) || d < -9.2233720368547758e18
        || d >= 9.2233720368547758e18)
      return std::nullopt;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::optional<int64_t> get_limit(const json::object& o, std::string_view key) {
  auto n = get_int(o, key);
  if (n && *n > 0 && *n <= max_token_count)
    return n;
  return std::nullopt;
}

int64_t count_reader::operator()(const json::object& o, std::string_view key, int64_t fallback) {
  const auto* v = o.if_contains(json::string_view{key.data(), key.size()});
  if (v == nullptr || v->is_null())
    return fallback;
  std::optional<int64_t> n;
  if (v->is_int64() || v->is_uint64() || v->is_double())
    n = get_int(o, key);
  if (n && *n >= 0 && *n <= max_token_count)
    return *n;
  if (!failed_) {
    // A number is shown; any other value only by its kind: upstream text (which may echo a
    // key or a prompt) never reaches a message.
    auto shown = v->is_number()   ? json_text(*v).substr(0, 40)
                 : v->is_string() ? std::string{"a string"}
                 : v->is_bool()   ? std::string{"a boolean"}
                 : v->is_array()  ? std::string{"an array"}
                                  : std::string{"an object"};
    failed_ = make_failure(errc::invalid_input,
                           "malformed " + what_ + ": \"" + std::string{key} + "\" is " + shown
                               + ", not a token count (a whole number from 0 to "
                               + std::to_string(max_token_count) + ")");
  }
  return 0;
}

result<void> count_reader::status() const {
  if (failed_)
    return *failed_;
  return {};
}

result<void> check_tool_limits(size_t calls, size_t argument_bytes) {
  if (calls > max_tool_calls)
    return make_failure(errc::invalid_input, "the answer has more than "
                                                 + std::to_string(max_tool_calls) + " tool calls");
  if (argument_bytes > max_tool_argument_bytes)
    return make_failure(errc::invalid_input,
                        "the arguments of the answer's tool calls exceed "
                            + std::to_string(max_tool_argument_bytes / (1024 * 1024)) + " MiB");
  return {};
}

result<void> check_tool_calls(const std::vector<tool_call>& calls) {
  size_t bytes = 0;
  for (const auto& c : calls)
    bytes += c.arguments.size();
  return check_tool_limits(calls.size(), bytes);
}

const json::object* get_object(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(json::string_view{key.data(), key.size()});
  return v == nullptr ? nullptr : v->if_object();
}

const json::array* get_array(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(json::string_view{key.data(), key.size()});
  return v == nullptr ? nullptr : v->if_array();
}

json::object object_or_empty(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(json::string_view{text.data(), text.size()}, ec);
  if (ec || !v.is_object())
    return {};
  return std::move(v.as_object());
}

json::object tool_schema(const tool_spec& t) {
  auto schema = object_or_empty(t.parameters);
  return schema.empty() ? json::object{{"type", "object"}} : schema;
}

std::string to_text(const json::value& v) {
  return json_text(v);
}

std::string base_path(const config::provider& p) {
  std::string_view fallback;
  switch (p.type) {
    case config::provider_type::openai:
      fallback = "https://api.openai.com/v1";
      break;
    case config::provider_type::anthropic:
      fallback = "https://api.anthropic.com";
      break;
    case config::provider_type::ollama:
      fallback = "http://localhost:11434";
      break;
    case config::provider_type::gemini:
      fallback = "https://generativelanguage.googleapis.com";
      break;
    case config::provider_type::mock:
      break;
  }
  auto parsed = parse_url(p.base_url.empty() ? fallback : std::string_view{p.base_url});
  if (parsed)
    return parsed->path;
  auto def = parse_url(fallback);
  return def ? def->path : std::string{};
}

void set_header(header_list& headers, std::string_view name, std::string value) {
  auto same = [&](const auto& h) {
    return std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a))
             == std::tolower(static_cast<unsigned char>(b));
    });
  };
  auto it = std::find_if(headers.begin(), headers.end(), same);
  if (it != headers.end())
    it->second = std::move(value);
  else
    headers.emplace_back(std::string{name}, std::move(value));
}

void add_authorization(header_list& headers, const config::provider& p) {
  if (p.api_key.empty())
    return;
  if (p.auth == config::auth_type::bearer)
    set_header(headers, "Authorization", "Bearer " + p.api_key);
  else if (p.auth == config::auth_type::basic)
    set_header(headers, "Authorization", "Basic " + base64(p.api_key));
}

void add_extra_headers(header_list& headers, const config::provider& p) {
  for (const auto& [name, value] : p.headers)
    set_header(headers, name, value);
}

std::string_view portable_id(std::string_view id) {
  return id.substr(0, id.find("#sig:"));
}

http_request post_json(std::string target, const json::object& body, bool stream) {
  http_request req;
  req.method = "POST";
  req.target = std::move(target);
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("Accept", stream ? "text/event-stream" : "application/json");
  req.body = json_text(body);
  // Project files, verify output and model text may hold bytes that are not UTF-8.
  make_valid_utf8(req.body);
  return req;
}

void push_chunk(std::vector<chunk>& out, std::string_view text, std::string_view reasoning) {
  if (text.empty() && reasoning.empty())
    return;
  out.push_back(chunk{std::string{text}, std::string{reasoning}});
}

failure interrupted(std::string_view terminal, const chat_response& partial) {
  return make_failure(errc::stream_interrupted,
                      "the stream ended before " + std::string{terminal} + " after "
                          + std::to_string(partial.content.size()) + " bytes of text and "
                          + std::to_string(partial.tool_calls.size()) + " tool calls");
}

// -- stream bases -------------------------------------------------------------

result<void> sse_stream::feed(std::string_view bytes, std::vector<chunk>& out) {
  if (failed_)
    return *failed_;
  if (ended())
    return {}; // after the terminal event: not the answer's (more text, other usage)
  sse_.feed(bytes);
  sse_event ev;
  while (!ended() && sse_.next(ev)) {
    if (auto r = on_event(ev, out); !r) {
      failed_ = r.error();
      return r;
    }
  }
  return {};
}

result<chat_response> sse_stream::finish(std::vector<chunk>& out) {
  if (failed_)
    return *failed_;
  // A last event without its blank line still counts (its text is streamed
  // like any other); a cut one fails to parse and leaves the stream incomplete.
  sse_event ev;
  while (!complete() && sse_.flush(ev)) {
    auto r = on_event(ev, out);
    if (!r && r.error().code != errc::invalid_input)
      return r.error();
    if (!r)
      break;
  }
  if (!complete())
    return interrupted(terminal(), response_);
  finalize();
  return response_;
}

result<void> ndjson_stream::feed(std::string_view bytes, std::vector<chunk>& out) {
  if (failed_)
    return *failed_;
  if (complete())
    return {}; // after the final line: not the answer's
  lines_.feed(bytes);
  std::string_view line;
  while (!complete() && lines_.next(line)) {
    if (auto r = on_line(line, out); !r) {
      failed_ = r.error();
      return r;
    }
  }
  return {};
}

result<chat_response> ndjson_stream::finish(std::vector<chunk>& out) {
  if (failed_)
    return *failed_;
  std::string_view line;
  if (!complete() && lines_.flush(line)) {
    auto r = on_line(line, out);
    if (!r && r.error().code != errc::invalid_input)
      return r.error();
  }
  if (!complete())
    return interrupted("the final line (\"done\": true)", response_);
  finalize();
  return response_;
}

} // namespace et::wire::detail

namespace et::wire {

result<void> check_answer(const chat_response& r) {
  if (auto calls = detail::check_tool_calls(r.tool_calls); !calls)
    return calls;
  return detail::check_thoughts(r.thoughts.size());
}

} // namespace et::wire
