#pragma once
/// Web pages as context (`--fetch URL`): fetched with et's HTTP client under limits, reduced
/// to text, cached in the state dir. Every URL, the given one and each redirect, passes
/// the same gate: http(s) only, no credentials, its host resolved once and every address
/// checked (fetch_address.hpp), the connection made to exactly that address. A reader
/// endpoint (Jina-style), when configured, is asked instead and passes the same gate.
///
/// Calls block (DNS, network, disk): use from a command, never a scheduler thread.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "et/config/settings.hpp"
#include "et/util/result.hpp"

namespace et::http {
class runtime;
class client;
} // namespace et::http

namespace et::context {

/// One page as text.
struct fetched_page {
  std::string url;     ///< the URL as given (normalised: no fragment, default port dropped)
  std::string title;   ///< the HTML title ("" for other types)
  std::string text;    ///< the text: valid UTF-8
  bool cached = false; ///< true when it came from the cache
};

/// The content types fetched: text/html, text/plain, text/markdown, application/json
/// (application/xhtml+xml counts as HTML). `content_type` is the header's value.
bool fetchable_type(std::string_view content_type);

/// The key a page fetched from `url` (normalised) under `settings` is cached by: the URL, the
/// reader if one is asked, and whether private addresses were allowed. A page fetched while
/// they were may have come from one through a redirect: it is never served once they are not.
std::string cache_key(std::string_view url, const config::fetch_settings& settings);

/// Fetches pages under `settings`' limits.
class page_fetcher {
public:
  /// A fetcher on `rt` (which must outlive it) caching in `state_dir` ("" = no cache).
  /// `tls` configures certificate checks (tests trust a self-signed CA with it).
  page_fetcher(http::runtime& rt, config::fetch_settings settings, std::filesystem::path state_dir,
               config::tls_client tls = {});
  ~page_fetcher();
  page_fetcher(const page_fetcher&) = delete;
  page_fetcher& operator=(const page_fetcher&) = delete;

  /// The page at `url`, from the cache when fresh. Failures name the URL (credentials
  /// never shown) and say why: errc::invalid_input (refused URL, address, type, size,
  /// status, too many redirects), timeout, network.
  result<fetched_page> fetch(std::string_view url);

private:
  config::fetch_settings settings_;
  std::filesystem::path state_dir_;
  std::unique_ptr<http::client> client_;
};

} // namespace et::context
