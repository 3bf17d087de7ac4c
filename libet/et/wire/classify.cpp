#include "et/wire/classify.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "et/util/text.hpp"
#include "et/util/url.hpp"
#include "et/wire/detail/common.hpp"

namespace et::wire {

namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x))
                  == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

// IMF-fixdate, the only HTTP-date form servers still send:
// "Sun, 06 Nov 1994 08:49:37 GMT". In seconds: system_clock's nanoseconds overflow outside
// the years 1678..2262, which a four-digit year reaches (UBSan, fuzz/classify).
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  static constexpr std::array<std::string_view, 12> months{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto comma = text.find(", ");
  if (comma == std::string_view::npos)
    return std::nullopt;
  text = trim(text.substr(comma + 2));
  // "06 Nov 1994 08:49:37 GMT"
  if (text.size() < 24 || text.substr(text.size() - 3) != "GMT")
    return std::nullopt;
  auto day = parse_int(text.substr(0, 2));
  auto mon = std::find(months.begin(), months.end(), text.substr(3, 3));
  auto year = parse_int(text.substr(7, 4));
  auto hh = parse_int(text.substr(12, 2));
  auto mm = parse_int(text.substr(15, 2));
  auto ss = parse_int(text.substr(18, 2));
  if (!day || mon == months.end() || !year || !hh || !mm || !ss)
    return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{*year},
                     std::chrono::month{static_cast<unsigned>(mon - months.begin() + 1)},
                     std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok())
    return std::nullopt;
  return sys_days{ymd} + hours{*hh} + minutes{*mm} + seconds{*ss};
}

// A server-requested delay in ms: llround is unspecified past int64 (it gave negative delays
// for "Retry-After: 1e300"), and a delay longer than any setting may be is no instruction at
// all (it becomes nanoseconds added to a clock: 1000 years overflowed that).
std::optional<milliseconds> delay_ms(double ms) {
  if (!(ms <= max_duration_ms))
    return std::nullopt;
  return milliseconds{ms <= 0 ? 0 : std::llround(ms)};
}

bool has_tag(const std::vector<std::string>& tags, std::string_view tag) {
  return std::any_of(tags.begin(), tags.end(),
                     [&](const std::string& t) { return iequals(t, tag); });
}

bool contains_any(std::string_view text, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return text.find(n) != std::string_view::npos; });
}

// Each provider words "your prompt does not fit" differently; these cover
// OpenAI, Azure, vLLM, llama.cpp, Anthropic, Gemini and Ollama (native and cloud).
bool is_context_overflow(const std::vector<std::string>& tags, std::string_view lower_msg) {
  if (has_tag(tags, "context_length_exceeded") || has_tag(tags, "exceed_context_size_error"))
    return true;
  return contains_any(lower_msg,
                      {"maximum context length", "context length", "context window",
                       "context limit", "context size", "prompt is too long", "prompt too long",
                       "input token count", "exceeds the maximum number of tokens",
                       "input length exceeds", "reduce the length of the messages"});
}

bool is_rate_limit(int status, const std::vector<std::string>& tags) {
  return status == 429 || has_tag(tags, "rate_limit_error") || has_tag(tags, "rate_limit_exceeded")
         || has_tag(tags, "RESOURCE_EXHAUSTED") || has_tag(tags, "RateLimitReached");
}

bool is_auth(int status, const std::vector<std::string>& tags, std::string_view lower_msg) {
  // insufficient_quota is billing, not pacing: retrying the same key never helps.
  return status == 401 || status == 403 || has_tag(tags, "authentication_error")
         || has_tag(tags, "permission_error") || has_tag(tags, "invalid_api_key")
         || has_tag(tags, "API_KEY_INVALID") || has_tag(tags, "UNAUTHENTICATED")
         || has_tag(tags, "PERMISSION_DENIED") || has_tag(tags, "insufficient_quota")
         || lower_msg.find("api key not valid") != std::string_view::npos;
}

bool is_not_found(int status, const std::vector<std::string>& tags, std::string_view lower_msg) {
  return status == 404 || has_tag(tags, "not_found_error") || has_tag(tags, "NOT_FOUND")
         || has_tag(tags, "model_not_found")
         || (status == 0 && lower_msg.find("not found") != std::string_view::npos);
}

// What classification reads from an error body, whatever the provider.
struct error_parts {
  std::string message;
  std::vector<std::string> tags;
  std::optional<milliseconds> retry_delay;
  int code = 0; // a numeric code inside the body (Gemini, vLLM), 0 if none
};

void add_tag(error_parts& parts, const json::value* v) {
  if (v == nullptr)
    return;
  if (v->is_string())
    parts.tags.emplace_back(v->as_string());
  else if (v->is_int64() && v->as_int64() >= 100 && v->as_int64() <= 999)
    parts.code = static_cast<int>(v->as_int64()); // an HTTP status; anything else is noise
}

void read_details(error_parts& parts, const json::array& details) {
  for (const auto& d : details) {
    const auto* o = d.if_object();
    if (o == nullptr)
      continue;
    add_tag(parts, o->if_contains("reason"));
    auto delay = detail::get_string(*o, "retryDelay");
    if (!delay.empty())
      if (auto ms = parse_duration(delay))
        parts.retry_delay = *ms;
  }
}

void read_error_object(error_parts& parts, const json::object& e) {
  parts.message = std::string{detail::get_string(e, "message")};
  add_tag(parts, e.if_contains("type"));
  add_tag(parts, e.if_contains("code"));
  add_tag(parts, e.if_contains("status"));
  if (const auto* details = detail::get_array(e, "details"))
    read_details(parts, *details);
}

error_parts parse_error_parts(std::string_view body) {
  error_parts parts;
  boost::system::error_code ec;
  auto v = json::parse(json::string_view{body.data(), body.size()}, ec);
  if (!ec && v.is_array() && !v.as_array().empty())
    v = v.as_array().front(); // Gemini without alt=sse wraps everything in an array
  const auto* o = ec ? nullptr : v.if_object();
  if (o == nullptr) {
    auto text = trim(body);
    parts.message = std::string{text.substr(0, 500)};
    return parts;
  }
  const auto* err = o->if_contains("error");
  if (err != nullptr && err->is_string())
    parts.message = std::string{err->as_string()}; // Ollama
  else if (err != nullptr && err->is_object())
    read_error_object(parts, err->as_object());
  else
    read_error_object(parts, *o); // {"message": ..., "type": ...} of some OpenAI-compatible servers
  return parts;
}

failure make_error(int status, error_parts parts, std::string_view secret) {
  int effective = status != 0 ? status : (parts.code >= 400 ? parts.code : 0);
  failure f;
  f.code = classify_error(effective, parts.tags, parts.message);
  f.http_status = status;
  // A basic-auth key is "user:password": the password alone is a secret too.
  std::vector<std::string> secrets{std::string{secret}};
  if (auto colon = secret.find(':'); colon != std::string_view::npos)
    secrets.emplace_back(secret.substr(colon + 1));
  f.message = bounded_message(scrub(std::move(parts.message), secrets));
  if (f.message.empty())
    f.message = status != 0 ? "HTTP " + std::to_string(status) + " without an error message"
                            : "error event without a message";
  if (parts.retry_delay)
    f.retry_after = *parts.retry_delay;
  return f;
}

} // namespace

// An upstream's message reaches logs, journals, the client's error body and the summary of
// every candidate that failed: one line of it, valid UTF-8, at most max_message_bytes.
std::string bounded_message(std::string text) {
  make_valid_utf8(text);
  for (auto& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = ' ';
  if (text.size() > max_message_bytes)
    text = clip_utf8(text, max_message_bytes) + "...";
  return text;
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  value = trim(value);
  double seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (!value.empty() && ec == std::errc{} && end == value.data() + value.size()
      && std::isfinite(seconds))
    return delay_ms(seconds * 1000);
  auto when = parse_http_date(value);
  if (!when)
    return std::nullopt;
  auto delta = std::chrono::time_point_cast<milliseconds>(*when)
               - std::chrono::time_point_cast<milliseconds>(now);
  return delay_ms(static_cast<double>(delta.count()));
}

std::optional<std::string_view> find_header(const header_list& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (iequals(key, name))
      return std::string_view{value};
  return std::nullopt;
}

errc classify_error(int status, const std::vector<std::string>& tags, std::string_view message) {
  auto msg = ascii_lower(message);
  if (is_rate_limit(status, tags) && !has_tag(tags, "insufficient_quota"))
    return errc::rate_limited;
  if (status == 529 || status == 503 || has_tag(tags, "overloaded_error")
      || has_tag(tags, "UNAVAILABLE"))
    return errc::overloaded;
  if (is_auth(status, tags, msg))
    return errc::auth;
  if (is_not_found(status, tags, msg))
    return errc::not_found;
  if (is_context_overflow(tags, msg))
    return errc::context_overflow;
  if (status == 408 || status == 504 || has_tag(tags, "timeout_error"))
    return errc::timeout;
  if (status >= 500)
    return errc::server_error;
  if (status >= 400 || has_tag(tags, "invalid_request_error") || has_tag(tags, "INVALID_ARGUMENT")
      || has_tag(tags, "FAILED_PRECONDITION") || has_tag(tags, "request_too_large"))
    return errc::bad_request;
  // A mid-stream error without a recognisable class: the server broke.
  return errc::server_error;
}

failure classify_reply(const http_reply& reply, std::string_view secret,
                       std::chrono::system_clock::time_point now) {
  auto body = std::string_view{reply.body}.substr(0, max_error_body_bytes);
  auto f = make_error(reply.status, parse_error_parts(body), secret);
  // A header is the server's own instruction; the body's RetryInfo is the fallback.
  if (auto ms = find_header(reply.headers, "retry-after-ms")) {
    double value = 0;
    auto [end, ec] = std::from_chars(ms->data(), ms->data() + ms->size(), value);
    if (ec == std::errc{} && end == ms->data() + ms->size() && value >= 0)
      if (auto delay = delay_ms(value))
        f.retry_after = *delay;
  } else if (auto ra = find_header(reply.headers, "retry-after")) {
    if (auto delay = parse_retry_after(*ra, now))
      f.retry_after = *delay;
  }
  return f;
}

failure classify_stream_error(std::string_view payload, std::string_view secret) {
  return make_error(0, parse_error_parts(payload), secret);
}

} // namespace et::wire
