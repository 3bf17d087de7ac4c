#pragma once
/// The URLs `--fetch` accepts: absolute http(s) URLs with a host, an optional port, a path
/// and a query; the fragment is dropped. Credentials in a URL (user:password@) are refused,
/// and no message ever repeats them.

#include <cstdint>
#include <string>
#include <string_view>

#include "et/util/result.hpp"

namespace et::context {

/// A parsed page URL.
struct web_url {
  std::string scheme;       ///< "http" or "https"
  std::string host;         ///< lower-case name or address (IPv6 without brackets)
  uint16_t port = 0;        ///< explicit, or 80 / 443 by scheme
  std::string target = "/"; ///< path and query, starting with '/', bytes outside ASCII
                            ///< graphics percent-encoded
  /// scheme://host[:port]target, the port only when not the scheme's default.
  std::string text() const;
  /// scheme://host[:port] (no path).
  std::string origin() const;
};

/// Parses `text`. Fails with errc::invalid_input naming `shown_url(text)`: not http(s), no
/// host, a bad port, credentials (refused, never echoed), a control character in the host.
result<web_url> parse_web_url(std::string_view text);

/// The URL a redirect's Location names from `base`: absolute, scheme-relative ("//host/x"),
/// absolute-path ("/x") or relative ("x", "../x", "?q": resolved as RFC 3986 says, dot
/// segments removed). A redirect from https to http is refused.
result<web_url> redirect_target(const web_url& base, std::string_view location);

/// `text` as messages may show it: any user:password@ removed, control bytes as '?', cut
/// to 200 bytes.
std::string shown_url(std::string_view text);

} // namespace et::context
