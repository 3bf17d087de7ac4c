#include "et/context/fetch.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "et/context/charset.hpp"
#include "et/context/fetch_address.hpp"
#include "et/context/fetch_cache.hpp"
#include "et/context/fetch_url.hpp"
#include "et/context/html_text.hpp"
#include "et/http/whole.hpp"
#include "et/util/text.hpp"
#include "et/wire/classify.hpp"

namespace et::context {

namespace {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

bool is_html(const std::string& type) {
  return type == "text/html" || type == "application/xhtml+xml";
}

struct answer {
  int status = 0;
  std::string content_type;
  std::string location;
  std::string body;
};

int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

bool fetchable_type(std::string_view content_type) {
  auto type = media_type(content_type);
  return is_html(type) || type == "text/plain" || type == "text/markdown"
         || type == "application/json";
}

page_fetcher::page_fetcher(http::runtime& rt, config::fetch_settings settings,
                           std::filesystem::path state_dir, config::tls_client tls)
    : settings_(std::move(settings)), state_dir_(std::move(state_dir)) {
  http::client_options options;
  options.max_idle_per_origin = 0;
  options.max_body_bytes = static_cast<size_t>(settings_.max_bytes);
  options.tls = std::move(tls);
  client_ = std::make_unique<http::client>(rt, std::move(options));
}

page_fetcher::~page_fetcher() = default;

namespace {

// One GET of `u` at the checked `address`, within `left`.
result<answer> get_once(http::client& client, const web_url& u, const std::string& address,
                        http::header_list headers, milliseconds left) {
  http::request req;
  req.base.scheme = u.scheme;
  req.base.host = u.host;
  req.base.port = u.port;
  req.target = u.target;
  req.connect_address = address;
  req.headers = std::move(headers);
  req.timeouts.connect = std::min(left, milliseconds{10'000});
  req.timeouts.first_byte = left;
  req.timeouts.idle = left;
  req.timeouts.total = left;
  auto got = http::send_whole(client, std::move(req));
  if (!got)
    return got.error();
  auto header = [&](std::string_view name) {
    return std::string{wire::find_header(got->headers, name).value_or("")};
  };
  return answer{got->status, header("content-type"), header("location"), std::move(got->body)};
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

} // namespace

std::string cache_key(std::string_view url, const config::fetch_settings& settings) {
  std::string key{url};
  if (!settings.reader.base_url.empty())
    key = "reader " + settings.reader.base_url + " " + key;
  if (settings.allow_private)
    key = "allow_private " + key;
  return key;
}

result<fetched_page> page_fetcher::fetch(std::string_view url_text) {
  auto shown = shown_url(url_text);
  auto fail = [&](errc code, const std::string& why) -> failure {
    return make_failure(code, shown + ": " + why);
  };
  auto page_url = parse_web_url(url_text);
  if (!page_url)
    return page_url.error(); // names the URL already
  auto deadline = clock_type::now() + settings_.timeout;
  auto left = [&] {
    return std::max(milliseconds{1},
                    std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()));
  };
  // The gate comes before the cache: a page cached while allow_private was on is not
  // served once it is off, and a reader is no way around it either.
  if (auto checked = checked_addresses(page_url->host, settings_.allow_private, left()); !checked)
    return fail(checked.error().code, checked.error().message);
  const auto& reader = settings_.reader;
  auto key = cache_key(page_url->text(), settings_);
  if (!state_dir_.empty())
    if (auto hit = load_cached(state_dir_, key, now_ms(), settings_.cache_ttl))
      return fetched_page{page_url->text(), hit->title, hit->text, true};

  web_url current = *page_url;
  http::header_list headers{
      {"Accept", "text/html, text/markdown, text/plain;q=0.9, application/json;q=0.8"},
      {"Accept-Encoding", "identity"}};
  std::string auth_origin;
  if (!reader.base_url.empty()) {
    auto base = parse_web_url(reader.base_url);
    if (!base)
      return fail(errc::invalid_config, "context.fetch.reader.base_url is not a URL");
    current = *base;
    std::string prefix = current.target;
    current.target = prefix + page_url->text();
    if (!reader.api_key.empty()) {
      headers.emplace_back("Authorization", "Bearer " + reader.api_key);
      auth_origin = current.origin();
    }
  }
  for (int hops = 0;; ++hops) {
    if (clock_type::now() >= deadline)
      return fail(errc::timeout, "took longer than context.fetch.timeout");
    auto address = checked_addresses(current.host, settings_.allow_private, left());
    if (!address)
      return fail(address.error().code, address.error().message);
    if (!auth_origin.empty() && current.origin() != auth_origin) {
      // A reader that redirects elsewhere does not get its key sent there.
      headers.erase(std::remove_if(headers.begin(), headers.end(),
                                   [](const auto& h) { return h.first == "Authorization"; }),
                    headers.end());
      auth_origin.clear();
    }
    // Every address was checked; the first that accepts a connection is asked.
    auto got = get_once(*client_, current, address->front(), headers, left());
    for (size_t i = 1; i < address->size() && !got && got.error().code == errc::network
                       && got.error().message.starts_with("cannot connect");
         ++i)
      got = get_once(*client_, current, (*address)[i], headers, left());
    if (!got)
      return fail(got.error().code, got.error().message);
    if (is_redirect(got->status)) {
      if (hops >= settings_.max_redirects)
        return fail(errc::invalid_input, "more than " + std::to_string(settings_.max_redirects)
                                             + " redirects (context.fetch.max_redirects)");
      auto next = redirect_target(current, got->location);
      if (!next)
        return fail(errc::invalid_input, "redirect refused: " + next.error().message);
      current = std::move(*next);
      continue;
    }
    if (got->status < 200 || got->status > 299)
      return fail(errc::invalid_input, "HTTP " + std::to_string(got->status));
    auto type = media_type(got->content_type);
    if (!fetchable_type(type))
      return fail(errc::invalid_input,
                  "content type " + (type.empty() ? std::string{"(none)"} : shown_url(type))
                      + " is not fetched (HTML, plain text, Markdown or JSON only)");
    fetched_page page{page_url->text(), {}, {}, false};
    // Read before the body moves: an argument's order of evaluation is the compiler's.
    auto charset = declared_charset(got->content_type, got->body, is_html(type));
    got->body = to_utf8(std::move(got->body), charset);
    if (is_html(type)) {
      auto reduced = html_to_text(got->body);
      page.title = std::move(reduced.title);
      page.text = std::move(reduced.text);
    } else {
      page.text = clean_text(got->body);
    }
    if (!state_dir_.empty())
      (void)store_cached(state_dir_, {key, page.url, page.title, page.text, now_ms()});
    return page;
  }
}

} // namespace et::context
