#pragma once
/// Parsing of the http(s) URLs that name provider endpoints.

#include <cstdint>
#include <string>
#include <string_view>

#include "et/util/result.hpp"

namespace et {

/// An absolute http or https URL, split into the parts a client needs.
struct url {
  std::string scheme;                            ///< "http" or "https"
  std::string host;                              ///< host name or address (IPv6 without brackets)
  uint16_t port = 0;                             ///< explicit port, or 80 / 443 by scheme
  std::string path;                              ///< path without a trailing slash, "" for the root
  bool tls() const { return scheme == "https"; } ///< true for https
  /// "host:port" as it goes into a Host header (port omitted when default).
  std::string authority() const;
  /// scheme://authority + path.
  std::string to_string() const;
};

/// "host:port" as et's messages write an address, an IPv6 host in brackets ("[::1]:8080").
std::string host_and_port(std::string_view host, uint16_t port);

/// Parses "http[s]://host[:port][/path]"; query strings and user info are refused.
result<url> parse_url(std::string_view text);

/// A listening or connecting address.
struct host_port {
  std::string host;  ///< name or address (IPv6 without brackets)
  uint16_t port = 0; ///< 0 to 65535
};

/// Parses "host:port" or "[v6]:port" (port 0 to 65535).
result<host_port> parse_host_port(std::string_view text);

/// Whether `host` is a loopback address literal: IPv4 127.0.0.0/8, IPv6 ::1 or
/// an IPv4-mapped ::ffff:127.x.y.z. Names (localhost too) are not: their
/// resolution is not ours to check when the address is used.
bool is_loopback(std::string_view host);

/// The longest duration a setting may have: 27000h (about three years), 9.7e16 ns.
inline constexpr double max_duration_ms = 27'000.0 * 3'600'000;

/// Parses a duration: "250ms", "10s", "5m", "1h", or a bare number of seconds
/// ("1.5"). Negative values and ones over max_duration_ms are refused.
result<std::chrono::milliseconds> parse_duration(std::string_view text);

/// "250ms", "10s", "5m" or "1h": the shortest exact spelling.
std::string format_duration(std::chrono::milliseconds d);

} // namespace et
